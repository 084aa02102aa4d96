import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { seededRandom } from "../../../harness/random/random.ts";
import { tlsRequest } from "../../../harness/tls/mutual-tls.ts";
import { apiSurface } from "../api/surface.ts";
import { createPlatformContext } from "../context.ts";
import type { FanoutKind } from "../fanout/index.ts";
import { startSurfaces } from "../surface.ts";
import { testRegistry } from "../testing/fixtures.ts";
import { cNotifySurface } from "./surface.ts";
import { type NotifyRig, PLATFORM_ID, PLATFORM_KEY, SEQ, startNotifyRig } from "./testing/notify-rig.ts";

let dir: string;
let rig: NotifyRig | undefined;
const GW = "TP-GW-0001";
const SUB = "TP-ZB-0001";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-c-notify-"));
});
afterEach(async () => {
  await rig?.platform.close();
  rig = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const start = async () => {
  rig = await startNotifyRig(dir, new VirtualClock());
  return rig;
};

describe("the c-notify surface (7.3.1, C11-C18 over mutual TLS)", () => {
  it("makes a test PKI when the directory has none, and lists its addresses under its name", async () => {
    const { platform, https } = await start();
    expect(Object.keys(platform.addresses.surfaces)).toEqual([
      "fanout",
      "mc-connection",
      "api",
      "mc-login",
      "c-notify",
    ]);
    expect(https).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(platform.addresses.surfaces["c-notify"]).toEqual({
      https,
      pki: dir,
      clientCert: join(dir, "client.pem"),
    });
  });

  it("serves C11-C18: the third party's devices appear in /api/devices with via, state, resources and events", async () => {
    const { post, token, api, logs } = await start();
    const access_token = await token();
    expect(access_token).toMatch(/^[A-Za-z0-9]{16}$/);
    const head = { access_token, sequenceNo: SEQ };
    const ok = { code: 0, desc: "成功" };
    // C15: the gateway announces itself online.
    expect(
      await post("/notify/device/online", { ...head, deviceSN: GW, deviceType: "GW-T", online: "1" }),
    ).toEqual({ status: 200, json: ok });
    // C13: a sub-device bound to it.
    const bind = { ...head, deviceSN: SUB, gwId: GW, deviceType: "ZB-T" };
    expect((await post("/notify/device/sub/bind", bind)).json).toEqual(ok);
    // C16: statuses (and the resources on connecting) of the sub-device: it comes online with its gateway.
    const status = {
      ...head,
      deviceSN: SUB,
      deviceType: "ZB-T",
      status: [
        { serialId: "0", name: "TEMP", value: "21.5" },
        { serialId: "0", name: "HUM", value: "40" },
      ],
      resource: [{ serialId: "0", resName: "SCENE", resInfo: [{ SCENE_ID: "1", NAME: "night" }] }],
    };
    expect((await post("/notify/device/status", status)).json).toEqual(ok);
    // C17: a resource added, one changed.
    const change = {
      ...head,
      deviceSN: SUB,
      deviceType: "ZB-T",
      resource: [
        {
          serialId: "0",
          resName: "SCENE",
          resInfo: [
            { mode: "2", SCENE_ID: "1", NAME: "sleep" },
            { mode: "1", SCENE_ID: "2", NAME: "away" },
          ],
        },
      ],
    };
    expect((await post("/notify/device/resource", change)).json).toEqual(ok);
    // C18: an event.
    const event = {
      ...head,
      deviceSN: SUB,
      deviceType: "ZB-T",
      event: [{ eventId: "e1", serialId: "0", eventName: "DOORBELL", eventInfo: [{ ring: "1" }] }],
    };
    expect((await post("/notify/device/event", event)).json).toEqual(ok);

    const devices = (await api("/api/devices")) as Array<Record<string, unknown>>;
    expect(devices).toContainEqual(
      expect.objectContaining({
        deviceId: GW,
        model: "GW-T",
        via: "third-party",
        online: true,
        parentId: null,
      }),
    );
    expect(devices).toContainEqual(
      expect.objectContaining({
        deviceId: SUB,
        model: "ZB-T",
        via: "third-party",
        online: true,
        parentId: GW,
      }),
    );
    // Mc devices' summaries are as they were.
    expect(devices.find((d) => d.deviceId !== GW && d.deviceId !== SUB)).not.toHaveProperty("via");
    expect(await api(`/api/devices/${SUB}`)).toMatchObject({
      status: { "0": { TEMP: "21.5", HUM: "40" } },
      resources: [
        {
          serialId: "0",
          resourceSerial: [
            {
              resourceName: "SCENE",
              resourceInfo: [
                { SCENE_ID: "1", NAME: "sleep" },
                { SCENE_ID: "2", NAME: "away" },
              ],
            },
          ],
        },
      ],
      unbound: false,
    });
    expect(await api(`/api/devices/${SUB}/events`)).toEqual([
      {
        kind: "event",
        time: expect.stringMatching(/^2026-/),
        eventId: "e1",
        serialId: "0",
        eventName: "DOORBELL",
        eventInfo: [{ ring: "1" }],
      },
    ]);

    // C14: the sub-device leaves its gateway; C15: the gateway goes offline; C12: it is unbound.
    expect((await post("/notify/device/sub/unbind", bind)).json).toEqual(ok);
    expect(await api(`/api/devices/${SUB}`)).toMatchObject({ online: false, unbound: true });
    const offline = { ...head, deviceSN: GW, deviceType: "GW-T", online: "0" };
    expect((await post("/notify/device/online", offline)).json).toEqual(ok);
    expect(await api(`/api/devices/${GW}`)).toMatchObject({ online: false, unbound: false });
    const unbind = { ...head, deviceSN: GW, deviceType: "GW-T" };
    expect((await post("/notify/device/unbind", unbind)).json).toEqual(ok);
    expect(await api(`/api/devices/${GW}`)).toMatchObject({ via: "third-party", unbound: true });

    // Secrets never reach the logs.
    const text = logs.join("");
    expect(text).toContain('"c-notify answer"');
    expect(text).not.toContain(PLATFORM_KEY);
    expect(text).not.toContain(access_token);
  });

  it("C12 of a gateway unbinds the sub-devices the platform holds under it too (7.3.1.2)", async () => {
    const { post, token, api } = await start();
    const head = { access_token: await token(), sequenceNo: SEQ };
    await post("/notify/device/online", { ...head, deviceSN: GW, deviceType: "GW-T", online: "1" });
    await post("/notify/device/sub/bind", { ...head, deviceSN: SUB, gwId: GW, deviceType: "ZB-T" });
    await post("/notify/device/online", { ...head, deviceSN: SUB, deviceType: "ZB-T", online: "1" });
    expect(await api(`/api/devices/${SUB}`)).toMatchObject({ online: true, unbound: false });
    expect(
      (await post("/notify/device/unbind", { ...head, deviceSN: GW, deviceType: "GW-T" })).json.code,
    ).toBe(0);
    expect(await api(`/api/devices/${SUB}`)).toMatchObject({ online: false, unbound: true });
  });

  it("answers 1003 for devices it does not know, Mc devices of the registry among them", async () => {
    const { post, token } = await start();
    const head = { access_token: await token(), sequenceNo: SEQ };
    const c17 = { ...head, deviceSN: "TP-NONE", deviceType: "X", resource: [] };
    const refused = await post("/notify/device/resource", c17);
    expect(refused).toEqual({
      status: 200,
      json: { code: 1003, desc: expect.stringMatching(/^deviceSN: /) },
    });
    const mc = testRegistry().all()[0]?.deviceId ?? "";
    expect((await post("/notify/device/unbind", { ...head, deviceSN: mc, deviceType: "X" })).json.code).toBe(
      1003,
    );
    const noGateway = { ...head, deviceSN: SUB, gwId: "TP-NO-GW", deviceType: "ZB-T" };
    expect((await post("/notify/device/sub/bind", noGateway)).json).toEqual({
      code: 1003,
      desc: expect.stringMatching(/^gwId: /),
    });
    const event = { ...head, deviceSN: "TP-NONE", deviceType: "X", event: [] };
    expect((await post("/notify/device/event", event)).json.code).toBe(1003);
  });
});

describe("the c-notify surface and the fan-out", () => {
  it("publishes online, state, resources and event as for Mc devices", async () => {
    const clock = new VirtualClock();
    const context = await createPlatformContext({
      registry: testRegistry(),
      clock,
      random: seededRandom(7),
      logger: pino({ level: "silent" }),
      httpPort: 0,
      mqtt: "none",
      interop: { platformId: PLATFORM_ID, platformKey: PLATFORM_KEY, tls: { dir }, port: 0 },
    });
    const published: Array<[string, FanoutKind]> = [];
    context.fanout.connect({
      publish: (deviceId, kind) => published.push([deviceId, kind]),
      close: async () => undefined,
    });
    const started = await startSurfaces([apiSurface, cNotifySurface], context);
    try {
      const https = started.addresses["c-notify"]?.https ?? "";
      const client = {
        ca: await readFile(join(dir, "ca.pem"), "utf8"),
        cert: await readFile(join(dir, "client.pem"), "utf8"),
        key: await readFile(join(dir, "client-key.pem"), "utf8"),
      };
      const post = async (path: string, body: unknown) =>
        JSON.parse(
          (await tlsRequest(`${https}${path}`, { method: "POST", body: JSON.stringify(body) }, client)).body,
        );
      const { access_token } = await post("/notify/token", {
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        sequenceNo: SEQ,
      });
      const head = { access_token, sequenceNo: SEQ, deviceSN: GW, deviceType: "GW-T" };
      await post("/notify/device/online", { ...head, online: "1" });
      await post("/notify/device/status", {
        ...head,
        status: [{ serialId: "0", name: "POWER", value: "1" }],
        resource: [{ serialId: "0", resName: "R", resInfo: [{ R_ID: "1" }] }],
      });
      await post("/notify/device/event", {
        ...head,
        event: [{ serialId: "0", eventName: "E", eventInfo: [] }],
      });
      expect(published).toEqual([
        [GW, "online"],
        [GW, "resources"],
        [GW, "state"],
        [GW, "event"],
      ]);
      expect(context.store.onlineCount()).toBe(1);
    } finally {
      await started.close();
    }
  });
});
