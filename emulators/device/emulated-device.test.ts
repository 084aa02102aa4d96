import { afterEach, describe, expect, it } from "vitest";
import type { McMessage } from "../../harness/protocol/ct/schemas/index.ts";
import { GatewayModel } from "../gateway/gateway-model.ts";
import type { ProfileModel } from "../profiles/profile-model.ts";
import { startWorld } from "../testing/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const everyProfile = {
  devices: ["air-conditioner", "three-gang-switch", "air-purifier", "smart-lock"].map((profile) => ({
    profile,
    count: 1,
  })),
  gateways: [
    {
      profile: "zigbee-gateway",
      count: 1,
      subDevices: ["temperature-humidity-sensor", "door-window-sensor", "zigbee-switch", "zigbee-lock"].map(
        (profile) => ({ profile, count: 1 }),
      ),
    },
  ],
};

describe("every profile against the reference platform", () => {
  it("logs in, connects, and reports state, resources and version; sub-devices come online through the gateway", async () => {
    world = await startWorld({ fleet: everyProfile });
    const { clock, platform, fleet, plan } = world;
    fleet.powerOn();
    const everyone = plan.devices.flatMap((d) => [d, ...d.subDevices]);
    await clock.runUntil(
      () => everyone.every((d) => platform.store.get(d.deviceId)?.version.device !== undefined),
      { maxMs: 60_000 },
    );
    for (const planned of everyone) {
      const record = platform.store.get(planned.deviceId);
      expect(record?.online, planned.profileName).toBe(true);
      expect(record?.status, planned.profileName).toEqual(planned.profile.serials);
      expect(record?.version.device).toBe(planned.profile.version);
    }
    const purifier = plan.devices.find((d) => d.profileName === "air-purifier");
    expect(platform.store.get(purifier?.deviceId ?? "")?.resources[0]?.resourceSerial[0]?.resourceName).toBe(
      "CONSUM",
    );
    expect(fleet.summary()).toMatchObject({ devices: 9, online: 9 });
  });
});

describe("5.4.2.1 login back-off", () => {
  it("retries after exactly 60, 60, 60, then 600 s on a platform that refuses the login", async () => {
    world = await startWorld({
      fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
      unregistered: () => true,
    });
    const { clock, device } = world;
    const ac = device("air-conditioner");
    const attempts: number[] = [];
    const start = clock.now();
    ac.on("login-failed", () => attempts.push(clock.now() - start));
    ac.powerOn();
    await clock.runUntil(() => attempts.length >= 6, { maxMs: 3_600_000 });
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] ?? 0));
    expect(gaps).toEqual([60_000, 60_000, 60_000, 600_000, 600_000]);
  });
});

describe("5.4.2.2 UDP first, TCP after the third authentication", () => {
  it("connects over UDP after logins 1 and 2, and over TCP from login 3", async () => {
    world = await startWorld({ fleet: { devices: [{ profile: "air-conditioner", count: 1 }] } });
    const { clock, platform, device } = world;
    const ac = device("air-conditioner");
    const transports: string[] = [];
    ac.on("online", ({ transport }) => {
      transports.push(transport);
      // The platform forgets the session; the device finds out by its heartbeats going unanswered.
      if (transports.length < 3) platform.sessionOf(ac.deviceId)?.end("offline");
    });
    ac.powerOn();
    await clock.runUntil(() => transports.length === 3, { maxMs: 600_000 });
    expect(transports).toEqual(["udp", "udp", "tcp"]);
    expect(ac.counters.authentications).toBe(3);
    ac.reboot();
    await clock.runUntil(() => transports.length === 4, { maxMs: 60_000 });
    expect(transports[3]).toBe("udp");
  });
});

describe("5.4.3.2 control, then the state report within 10 s", () => {
  it("answers 2004 and reports the new state; the API sees it", async () => {
    world = await startWorld({ fleet: { devices: [{ profile: "three-gang-switch", count: 1 }] } });
    const { clock, platform, device } = world;
    const sw = device("three-gang-switch");
    sw.powerOn();
    await clock.runUntil(() => platform.store.get(sw.deviceId)?.online === true && sw.state === "online");
    const sentAt = clock.now();
    const result = await clock.runUntilSettled(
      platform.operations.control(sw.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
      }),
    );
    expect(result).toEqual({
      result: 0,
      dscp: "ok",
      state: { "1": { POWER: "1" }, "2": { POWER: "1" }, "3": { POWER: "1" } },
    });
    expect(clock.now() - sentAt).toBeLessThan(10_000);
    const unsupported = await clock.runUntilSettled(
      platform.operations.control(sw.deviceId, {
        serialId: "2",
        cmd: [{ cmdName: "SET_COLOR", cmdParam: "red" }],
      }),
    );
    expect(unsupported).toMatchObject({ result: 300002 });
  });
});

describe("sequences", () => {
  it("wraps from 65535 to 0 during a long run, and the platform accepts every request", async () => {
    world = await startWorld({ fleet: { devices: [{ profile: "air-conditioner", count: 1 }] } });
    const { clock, platform, device } = world;
    const ac = device("air-conditioner");
    const sequences: number[] = [];
    ac.on("frame", ({ direction, message }) => {
      if (direction === "out" && message.code === 1000) sequences.push(Number(message.body.sequence));
    });
    ac.powerOn();
    await clock.runUntil(() => ac.state === "online");
    // Move the device's counter near the top, as if it had run for a long time.
    (ac as unknown as { sequence: number }).sequence = 65530;
    const session = platform.sessionOf(ac.deviceId);
    (session as unknown as { lastDeviceSequence: number }).lastDeviceSequence = 65530;
    await clock.advanceAsync(10 * 30_000);
    expect(sequences.slice(0, 8)).toEqual([65531, 65532, 65533, 65534, 65535, 0, 1, 2]);
    expect(platform.sessionOf(ac.deviceId)).toBe(session);
    expect(ac.counters.relogins).toBe(0);
  });
});

describe("5.4.3.9 gateway reconnect", () => {
  it("re-authenticates every sub-device and reports them online after a reconnect", async () => {
    world = await startWorld({
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "door-window-sensor", count: 2 }] },
        ],
      },
    });
    const { clock, platform, device, plan } = world;
    const gateway = device("zigbee-gateway");
    const auths: string[] = [];
    gateway.on("frame", ({ direction, message }: { direction: string; message: McMessage }) => {
      if (direction === "out" && message.code === 2012) auths.push(message.body.subDeviceId);
    });
    gateway.powerOn();
    const subs = plan.devices[0]?.subDevices.map((s) => s.deviceId) ?? [];
    await clock.runUntil(() => subs.every((id) => platform.store.get(id)?.online));
    platform.sessionOf(gateway.deviceId)?.end("offline");
    expect(subs.every((id) => platform.store.get(id)?.online === false)).toBe(true);
    await clock.runUntil(
      () => gateway.counters.authentications === 2 && subs.every((id) => platform.store.get(id)?.online),
    );
    expect(auths).toEqual([...subs, ...subs]);
    expect(gateway.model).toBeInstanceOf(GatewayModel);
  });
});

describe("firmware upgrade", () => {
  it("downloads, checks the MD5, answers 2024 and reports success with the new version", async () => {
    world = await startWorld({ fleet: { devices: [{ profile: "air-purifier", count: 1 }] } });
    const { clock, platform, device } = world;
    const purifier = device("air-purifier");
    purifier.powerOn();
    await clock.runUntil(
      () => purifier.state === "online" && platform.store.get(purifier.deviceId)?.online === true,
    );
    platform.firmware.put("ap-2.1.bin", Buffer.from("new purifier firmware"));
    await clock.runUntilSettled(
      platform.operations.upgrade(purifier.deviceId, { version: "2.1.0.0", firmware: "ap-2.1.bin" }),
    );
    await clock.runUntil(
      () => platform.store.get(purifier.deviceId)?.events.some((e) => e.kind === "upgrade") === true,
    );
    expect(platform.store.get(purifier.deviceId)?.events.at(-1)?.body).toMatchObject({
      status: "0",
      version: "2.1.0.0",
    });
    expect(platform.store.get(purifier.deviceId)?.version.device).toBe("2.1.0.0");
    expect((purifier.model as ProfileModel).version).toBe("2.1.0.0");
  });

  it("reports failure and keeps its version when the MD5 does not match", async () => {
    world = await startWorld({ fleet: { devices: [{ profile: "air-purifier", count: 1 }] } });
    const { clock, platform, device } = world;
    const purifier = device("air-purifier");
    purifier.powerOn();
    await clock.runUntil(
      () => purifier.state === "online" && platform.store.get(purifier.deviceId)?.online === true,
    );
    platform.firmware.put("ap-2.1.bin", Buffer.from("new purifier firmware"));
    await clock.runUntilSettled(
      platform.operations.upgrade(purifier.deviceId, {
        version: "2.1.0.0",
        firmware: "ap-2.1.bin",
        md5: "0".repeat(32),
      }),
    );
    await clock.runUntil(
      () => platform.store.get(purifier.deviceId)?.events.some((e) => e.kind === "upgrade") === true,
    );
    expect(platform.store.get(purifier.deviceId)?.events.at(-1)?.body).toMatchObject({
      status: "1",
      version: "2.0.1.0",
    });
    expect((purifier.model as ProfileModel).version).toBe("2.0.1.0");
  });
});
