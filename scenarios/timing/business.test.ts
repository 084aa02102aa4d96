import { afterEach, describe, expect, it } from "vitest";
import type { DeviceContext } from "../../emulators/device/model.ts";
import type { GatewayModel } from "../../emulators/gateway/gateway-model.ts";
import type { ProfileModel } from "../../emulators/profiles/profile-model.ts";
import { startWorld } from "../../emulators/testing/world.ts";
import { FaultyConnector } from "../../harness/link/faults.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";

const time = reportSimulatedTime("timing 5.4.3 business messages");
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function onlineWorld(fleet: Record<string, unknown>) {
  world = await startWorld({ fleet, evidence: testEvidence });
  time.track(world.clock);
  const w = world;
  w.fleet.powerOn();
  const everyone = w.plan.devices.flatMap((d) => [d, ...d.subDevices]);
  await w.clock.runUntil(() =>
    everyone.every((d) => w.platform.store.get(d.deviceId)?.version.device !== undefined),
  );
  return w;
}

const contextOf = (device: ReturnType<World["device"]>) =>
  (device as unknown as { context(): DeviceContext }).context();

/** When the platform received the first frame of `code` from `deviceId` at or after `since`. */
function firstFrame(w: World, deviceId: string, code: number, since: number): Promise<number> {
  return new Promise((resolve) => {
    const listener = ({ direction, message, at }: { direction: string; message: McMessage; at: number }) => {
      const about = (message.body as { deviceId?: string }).deviceId;
      if (direction === "in" && message.code === code && about === deviceId && at >= since) {
        w.platform.events.off("frame", listener);
        resolve(at);
      }
    };
    w.platform.events.on("frame", listener);
  });
}

describe("5.4.3 reports follow requests within 10 s", () => {
  it("5.4.3.2 state report within 10 s of a control", async () => {
    const w = await onlineWorld({ devices: [{ profile: "three-gang-switch", count: 1 }] });
    const sw = w.device("three-gang-switch");
    const sentAt = w.clock.now();
    const report = firstFrame(w, sw.deviceId, 2006, sentAt);
    const result = await w.clock.runUntilSettled(
      w.platform.operations.control(sw.deviceId, {
        serialId: "2",
        cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
      }),
    );
    expect(result).toMatchObject({ result: 0, state: { "2": { POWER: "1" } } });
    expect((await report) - sentAt).toBeLessThan(10_000);
  });

  it("5.4.3.1 state report within 10 s of a query", async () => {
    const w = await onlineWorld({ devices: [{ profile: "air-conditioner", count: 1 }] });
    const ac = w.device("air-conditioner");
    const sentAt = w.clock.now();
    const report = firstFrame(w, ac.deviceId, 2006, sentAt);
    expect(await w.clock.runUntilSettled(w.platform.operations.query(ac.deviceId))).toMatchObject({
      result: 0,
      state: { "0": { POWER: "0" } },
    });
    expect((await report) - sentAt).toBeLessThan(10_000);
  });

  it("5.4.3.4 resource report (2028) within 10 s of resource management (2031)", async () => {
    const w = await onlineWorld({ devices: [{ profile: "smart-lock", count: 1 }] });
    const lock = w.device("smart-lock");
    const sentAt = w.clock.now();
    const report = firstFrame(w, lock.deviceId, 2028, sentAt);
    await w.clock.runUntilSettled(
      w.platform.operations.manageResources(lock.deviceId, [
        {
          serialId: "0",
          resourceSerial: [
            { resourceName: "KEY_LIST", resourceInfo: [{ KEY_ID: "7", KEY_TYPE: "2", MODE: "1" }] },
          ],
        },
      ]),
    );
    expect((await w.clock.runUntilSettled(report)) - sentAt).toBeLessThan(10_000);
  });
});

describe("5.4.3.3 multi-part resource reports", () => {
  it("5.4.3.3 parts less than 4 heartbeats apart make one report; a part after a longer gap starts a new one", async () => {
    const w = await onlineWorld({ devices: [{ profile: "air-purifier", count: 1 }] });
    const purifier = w.device("air-purifier");
    const ctx = contextOf(purifier);
    const part = (id: string) =>
      w.clock.runUntilSettled(
        ctx.request(2006, {
          deviceId: purifier.deviceId,
          statusSerials: [],
          resourceSerials: [
            {
              serialId: "0",
              resourceSerial: [
                { resourceName: "CONSUM", resourceInfo: [{ CONSUM_ID: id, REMAIN_LIFE: "50" }] },
              ],
            },
          ],
        }),
      );
    const ids = () =>
      w.platform.store
        .get(purifier.deviceId)
        ?.resources[0]?.resourceSerial[0]?.resourceInfo.map((e) => e.CONSUM_ID);
    await w.clock.advanceAsync(130_000);
    await part("A");
    await w.clock.advanceAsync(120_000);
    await part("B");
    expect(ids()).toEqual(["A", "B"]);
    await w.clock.advanceAsync(120_001);
    await part("C");
    expect(ids()).toEqual(["C"]);
  });
});

describe("5.4.3.9-13 gateways", () => {
  it("5.4.3.9 after a gateway reconnects, every sub-device is authenticated again and reported online", async () => {
    const w = await onlineWorld({
      gateways: [
        {
          profile: "zigbee-gateway",
          count: 1,
          subDevices: [
            { profile: "door-window-sensor", count: 2 },
            { profile: "zigbee-lock", count: 1 },
          ],
        },
      ],
    });
    const gateway = w.device("zigbee-gateway");
    const subs = [...(gateway.model as GatewayModel).subDevices.keys()];
    const sequence: Array<[number, string]> = [];
    gateway.on("frame", ({ direction, message }) => {
      if (direction === "out" && (message.code === 2012 || message.code === 2020))
        sequence.push([message.code, message.body.subDeviceId]);
    });
    w.platform.sessionOf(gateway.deviceId)?.end("offline");
    expect(subs.map((id) => w.platform.store.get(id)?.online)).toEqual([false, false, false]);
    await w.clock.runUntil(() => subs.every((id) => w.platform.store.get(id)?.online === true), {
      maxMs: 120_000,
    });
    expect(sequence).toEqual([...subs.map((id) => [2012, id]), ...subs.map((id) => [2020, id])]);
  });
});

describe("5.4.3.12 unbind reports", () => {
  it("5.4.3.12 an unbind made while the link is down is reported after the gateway reconnects", async () => {
    let faulty: FaultyConnector | undefined;
    world = await startWorld({
      evidence: testEvidence,
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 1 }] },
        ],
      },
      connector: (clock) => {
        faulty = new FaultyConnector(socketConnector(), clock, seededRandom(3));
        return faulty;
      },
    });
    time.track(world.clock);
    const w = world;
    w.fleet.powerOn();
    const gateway = w.device("zigbee-gateway");
    const model = gateway.model as GatewayModel;
    const [sub = ""] = model.subDevices.keys();
    await w.clock.runUntil(() => w.platform.store.get(sub)?.online === true);
    faulty?.cut("half-open");
    void model.unbindLocally(contextOf(gateway), sub).catch(() => undefined);
    await w.clock.advanceAsync(60_000);
    expect(w.platform.store.get(sub)?.unbound).toBe(false);
    faulty?.heal();
    await w.clock.runUntil(() => w.platform.store.get(sub)?.unbound === true, { maxMs: 3_600_000 });
    expect(model.unreportedUnbinds.size).toBe(0);
  });
});

describe("5.4.3.14-16 firmware upgrade", () => {
  for (const [name, md5, status, version] of [
    ["success: 2024 at once, then 2026 status 0 with the new version", undefined, "0", "2.1.0.0"],
    ["MD5 mismatch: 2026 status 1 with the old version", "0".repeat(32), "1", "2.0.1.0"],
  ] as const) {
    it(`5.4.3.15-16 ${name}`, async () => {
      const w = await onlineWorld({ devices: [{ profile: "air-purifier", count: 1 }] });
      const purifier = w.device("air-purifier");
      w.platform.firmware.put("ap.bin", Buffer.from("purifier firmware 2.1"));
      const result = await w.clock.runUntilSettled(
        w.platform.operations.upgrade(purifier.deviceId, {
          version: "2.1.0.0",
          firmware: "ap.bin",
          ...(md5 === undefined ? {} : { md5 }),
        }),
      );
      expect(result).toMatchObject({ result: 0 });
      const answeredAt = w.clock.now();
      await w.clock.runUntil(
        () => w.platform.store.get(purifier.deviceId)?.events.some((e) => e.kind === "upgrade") === true,
      );
      // The download is real HTTP on loopback: it takes no simulated time, so 2026 comes at the same instant on every run.
      expect(w.clock.now()).toBe(answeredAt);
      expect(w.platform.store.get(purifier.deviceId)?.events.at(-1)?.body).toMatchObject({
        type: "0",
        status,
        version,
      });
      expect((purifier.model as ProfileModel).version).toBe(version);
    });
  }
});
