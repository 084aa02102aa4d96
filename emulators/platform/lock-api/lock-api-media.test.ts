import { describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { type Envelope, lockWorldPerTest } from "./testing/lock-world.ts";

/** The locks' media through the vendor's SDK: covers of the last remote unlocking or alert; video view counts. */

const CLIENT_ID = "hilfarmlockclient016";
const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

const openLockWorld = lockWorldPerTest();

type Id = keyof typeof lockEndpoints;

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  const { call } = world;
  const api = async <T = unknown>(
    id: Id,
    deviceId: string,
    extra: { body?: object; query?: object } = {},
  ) => {
    const entry = lockEndpoints[id];
    const answer: Envelope<T> = await call<T>({
      method: entry.method,
      path: entry.path.replace("{device_id}", deviceId),
      ...extra,
    } as Parameters<typeof call>[0]);
    if (answer.success) entry.response.parse(answer.result);
    return answer;
  };
  const latest = (deviceId: string, fileType: 1 | 2) =>
    api<{ file_url: string; file_key: string; bucket: string; file_path: string }>(
      "getLatestMediaUrl",
      deviceId,
      {
        query: { file_type: fileType },
      },
    );
  return { ...world, api, latest };
}

describe("the cover of the last remote unlocking or alert", () => {
  it("is a stable fixture of the lock's remote opening, for 90 s; alerts have their own", async () => {
    const { w, api, latest, wifiId } = await start();
    expect(await latest(wifiId, 1)).toMatchObject({ success: false, code: 1000 });
    await api("setRemoteUnlockConfig", wifiId, {
      body: { remote_unlock_type: "remoteUnlockWithoutPwd", open: true },
    });
    const ticket = await api<{ ticket_id: string }>("getPasswordTicket", wifiId);
    expect(
      await api("passwordFreeOpenDoor", wifiId, { body: { ticket_id: ticket.result.ticket_id } }),
    ).toMatchObject({
      result: true,
    });
    const opened = () =>
      (w.platform.store.get(wifiId)?.events ?? []).find((e) => e.body.eventName === "LOCK_OPEN");
    await w.clock.runUntil(() => opened() !== undefined);
    const seconds = Math.floor((opened()?.receivedAt ?? 0) / 1000);

    const first = await latest(wifiId, 1);
    expect(first).toMatchObject({
      success: true,
      result: {
        bucket: "hilfarm-media",
        file_path: `/${wifiId}/16/${seconds}.jpg`,
        file_url: `https://media.hilfarm.invalid/hilfarm-media/${wifiId}/16/${seconds}.jpg`,
      },
    });
    expect(first.result.file_key).toMatch(/^[0-9a-f]{16}$/);
    expect((await latest(wifiId, 1)).result).toEqual(first.result);
    expect(await latest(wifiId, 2)).toMatchObject({ success: false, code: 1000 });

    const lock = w.device("smart-lock");
    for (let i = 0; i < 5; i++) await w.clock.runUntilSettled(lock.typeCode("0000000"));
    await w.clock.runUntil(() =>
      (w.platform.store.get(wifiId)?.events ?? []).some((e) => e.body.eventName === "WRONG_CODE"),
    );
    const alert = await latest(wifiId, 2);
    expect(alert.result.file_path).toMatch(new RegExp(`^/${wifiId}/3/\\d+\\.jpg$`));
    expect(alert.result.file_key).not.toBe(first.result.file_key);

    await w.clock.advanceAsync(91_000);
    expect(await latest(wifiId, 1)).toMatchObject({ success: false, code: 1000 });
  });

  it("is for Wi-Fi locks (not Zigbee ones); albums are for locks with video talk; file_type is 1 or 2", async () => {
    const { api, latest, wifiId, zigbeeId } = await start();
    expect(await latest(zigbeeId, 1)).toMatchObject({ success: false, code: 2004 });
    expect(await api("listAlbumsMedia", wifiId)).toMatchObject({ success: false, code: 2004 });
    expect(await api("getLatestMediaUrl", wifiId, { query: { file_type: 3 } })).toMatchObject({
      success: false,
      code: 1109,
    });
  });
});

describe("video views", () => {
  it("count per lock: each view added is one more", async () => {
    const { api, wifiId, zigbeeId } = await start();
    expect(await api("getMediaViewTimes", wifiId)).toMatchObject({ success: true, result: 0 });
    expect(await api("addMediaViewTime", wifiId)).toMatchObject({ success: true, result: 1 });
    expect(await api("addMediaViewTime", wifiId)).toMatchObject({ success: true, result: 2 });
    expect(await api("getMediaViewTimes", wifiId)).toMatchObject({ success: true, result: 2 });
    expect(await api("getMediaViewTimes", zigbeeId)).toMatchObject({ success: false, code: 2004 });
    expect(await api("addMediaViewTime", "no-such-lock")).toMatchObject({ success: false, code: 2010 });
  });
});
