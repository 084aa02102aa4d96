import { afterEach, describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import type { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { issueTicket, ticketState } from "../../../harness/protocol/lock-api/ticket.ts";
import { seededRandom } from "../../../harness/random/random.ts";
import { silent } from "../../testing/world.ts";
import type { PlatformContext } from "../context.ts";
import type { StateStore } from "../state-store.ts";
import type { LockApiDeps, LockCall } from "./lock-call.ts";
import { LockPasswords } from "./lock-passwords.ts";
import { DEFAULT_LOCK_TYPES } from "./lock-types.ts";
import { remoteHandlers } from "./remote-handlers.ts";
import { type LockWorld, startLockWorld } from "./testing/lock-world.ts";

/**
 * The handlers over lock types the platform's own profiles lack (an access control device, a lock with video talk):
 * the emulated Wi-Fi lock seen under another model, as a cloud that knows the product would see it.
 */

let world: LockWorld | undefined;
afterEach(async () => {
  await world?.w.close();
  world = undefined;
});

const CLIENT = "c1";

async function asModel(model: string) {
  world = await startLockWorld();
  const { w, wifiId } = world;
  const passwords = new LockPasswords({
    store: w.platform.store,
    operations: w.platform.operations,
    logger: silent,
  });
  const handlers = remoteHandlers({
    platform: { operations: w.platform.operations } as unknown as PlatformContext,
    passwords,
  });
  const store = {
    get: (id: string) => {
      const record = w.platform.store.get(id);
      return record === undefined ? undefined : { ...record, model };
    },
  } as unknown as StateStore;
  const deps: LockApiDeps = {
    store,
    passwords,
    tickets: { state: ticketState() },
    random: seededRandom(5),
    lockTypes: DEFAULT_LOCK_TYPES,
  };
  const ticket = () => {
    const issued = issueTicket(
      deps.tickets.state,
      { deviceId: wifiId, clientId: CLIENT, secret: "s".repeat(32) },
      w.clock.now(),
      deps.random,
    );
    deps.tickets.state = issued.state;
    return issued.answer.ticket_id;
  };
  const run = async (id: keyof typeof lockEndpoints, body: unknown = {}, query: unknown = {}) => {
    const call: LockCall = {
      params: { device_id: wifiId },
      query,
      body,
      clientId: CLIENT,
      secret: "s".repeat(32),
      now: w.clock.now(),
    };
    const handler = handlers[id];
    if (handler === undefined) throw new Error(`no handler ${id}`);
    const result = await w.clock.runUntilSettled(Promise.resolve(handler(call, deps)));
    return lockEndpoints[id].response.parse(result);
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: LockApiError) => error.apiCode,
    );
  return { w, wifiId, run, ticket, refusal };
}

describe("an access control device (v1.1: a channel)", () => {
  it("opens channel 0 (every channel) with a ticket alone: it has no remote-unlock switches", async () => {
    const { w, wifiId, run, ticket, refusal } = await asModel("ACS-01");
    expect(
      await refusal(
        run("setRemoteUnlockConfig", { remote_unlock_type: "remoteUnlockWithoutPwd", open: true }),
      ),
    ).toBe(2004);
    expect(await run("passwordFreeOpenDoorV11", { ticket_id: ticket(), channel_id: 0 })).toBe(true);
    expect(w.platform.store.get(wifiId)?.status["0"]?.LOCK).toBe("0");
    expect(await refusal(run("passwordFreeOpenDoorV11", { ticket_id: ticket(), channel_id: 5 }))).toBe(1109);
    expect(await refusal(run("passwordFreeOpenDoor", { ticket_id: ticket() }))).toBe(2004);
  });
});

describe("a lock with video talk", () => {
  it("opens without a password and lists its album: the remote opening, newest first", async () => {
    const { w, wifiId, run, ticket } = await asModel("LOCK-V01");
    expect(await run("listAlbumsMedia")).toEqual({
      event_types: [],
      album_list: [],
      order_code: "cloud_free_storage_3day",
    });
    expect(await run("passwordFreeOpenDoor", { ticket_id: ticket() })).toBe(true);
    const opened = () =>
      (w.platform.store.get(wifiId)?.events ?? []).find((e) => e.body.eventName === "LOCK_OPEN");
    await w.clock.runUntil(() => opened() !== undefined);
    const album = (await run("listAlbumsMedia")) as {
      event_types: number[];
      album_list: Array<Record<string, unknown>>;
    };
    const seconds = Math.floor((opened()?.receivedAt ?? 0) / 1000);
    expect(album.event_types).toEqual([16]);
    expect(album.album_list).toEqual([
      expect.objectContaining({
        event_type: 16,
        upload_time: seconds,
        media_path: `/${wifiId}/16/${seconds}.mp4`,
        file_url: `https://media.hilfarm.invalid/hilfarm-media/${wifiId}/16/${seconds}.jpg`,
      }),
    ]);
    expect(await run("listAlbumsMedia")).toEqual(album);
  });
});
