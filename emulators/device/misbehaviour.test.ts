import { afterEach, describe, expect, it } from "vitest";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import type { GatewayModel } from "../gateway/gateway-model.ts";
import { startWorld, type WorldOptions } from "../testing/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const oneAc = { devices: [{ profile: "air-conditioner", count: 1 }] };

async function onlineAc(options: Partial<WorldOptions> = {}) {
  world = await startWorld({ fleet: oneAc, ...options });
  const { clock, platform, device } = world;
  const ac = device("air-conditioner");
  ac.powerOn();
  await clock.runUntil(
    () => ac.state === "online" && platform.store.get(ac.deviceId)?.version.device !== undefined,
  );
  return { ...world, ac };
}

const control = (w: World, deviceId: string) =>
  w.clock.runUntilSettled(
    w.platform.operations.control(deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    }),
  );

const metric = async (w: World, pattern: RegExp) =>
  Number((await w.platform.metrics.text()).match(pattern)?.[1] ?? 0);

describe("misbehaviour switches, as the platform sees them", () => {
  it("skipHeartbeats: offline at exactly 3 x heartbeat + 10 s after the last message", async () => {
    const w = await onlineAc();
    w.ac.misbehaviour.skipHeartbeats = true;
    // The reports after connect were the last messages; they arrived at this instant.
    let last = w.clock.now();
    w.platform.events.on("frame", ({ direction, at }) => {
      if (direction === "in") last = at;
    });
    let endedAt = 0;
    w.platform.events.on("session-end", ({ reason }) => {
      if (reason === "offline") endedAt = w.clock.now();
    });
    await w.clock.runUntil(() => endedAt > 0, { maxMs: 200_000 });
    expect(endedAt - last).toBe(100_000);
  });

  it("dropResponses: the platform resends after 10 s and the device answers the retransmission once", async () => {
    const w = await onlineAc();
    w.ac.misbehaviour.dropResponses = 1;
    expect(await control(w, w.ac.deviceId)).toMatchObject({ result: 0, state: { "0": { POWER: "1" } } });
    expect(await metric(w, /hilfarm_platform_resends_total (\d+)/)).toBe(1);
  });

  it("answerLateMs past 10 s: the platform resends and takes the late answer", async () => {
    const w = await onlineAc();
    w.ac.misbehaviour.answerLateMs = 15_000;
    const sentAt = w.clock.now();
    expect(await control(w, w.ac.deviceId)).toMatchObject({ result: 0 });
    expect(w.clock.now() - sentAt).toBeGreaterThanOrEqual(10_000);
    expect(await metric(w, /hilfarm_platform_resends_total (\d+)/)).toBe(1);
  });

  it("answerLateMs: a retransmission that arrives while the late answer is pending is not answered early", async () => {
    const w = await onlineAc();
    w.ac.misbehaviour.answerLateMs = 15_000;
    const answersAt: number[] = [];
    w.platform.events.on("frame", ({ direction, message, at }) => {
      if (direction === "in" && message.code === 2004) answersAt.push(at);
    });
    const sentAt = w.clock.now();
    await control(w, w.ac.deviceId);
    expect(answersAt[0]).toBe(sentAt + 15_000);
  });

  it("wrongSequence: the platform answers 100001 and the device logs in again", async () => {
    const w = await onlineAc();
    const answers: McMessage[] = [];
    w.ac.on("frame", ({ direction, message }) => {
      if (direction === "in" && message.code === 2007) answers.push(message);
    });
    w.ac.misbehaviour.wrongSequence = 1;
    await w.clock.runUntilSettled(
      (w.ac.model as import("../profiles/profile-model.ts").ProfileModel)
        .reportAll(contextOf(w.ac))
        .catch(() => undefined),
    );
    await w.clock.runUntil(() => w.ac.counters.relogins === 1 && w.ac.state === "online");
    expect(answers[0]?.body).toMatchObject({ result: 100001 });
  });

  for (const [name, reason] of [
    [
      "corruptCiphertext",
      /hilfarm_platform_frames_dropped_total\{reason="(?:DECRYPT_FAILED|BAD_BODY_JSON)"\} (\d+)/,
    ],
    ["garbleFrames", /hilfarm_platform_frames_dropped_total\{reason="NO_PREFIX"\} (\d+)/],
  ] as const) {
    it(`${name}: the platform drops the frame silently; the device's resend gets through`, async () => {
      const w = await onlineAc();
      w.ac.misbehaviour[name] = 1;
      const heartbeatAcks: number[] = [];
      w.ac.on("frame", ({ direction, message, at }) => {
        if (direction === "in" && message.code === 1001) heartbeatAcks.push(at);
      });
      await w.clock.runUntil(() => heartbeatAcks.length === 1, { maxMs: 60_000 });
      expect(await metric(w, reason)).toBe(1);
      expect(w.ac.counters.resends).toBe(1);
    });
  }

  it("refuseSubDeviceAuth: the platform answers authResult 1 and the sub-devices stay offline", async () => {
    world = await startWorld({
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 2 }] },
        ],
      },
    });
    const w = world;
    const gateway = w.device("zigbee-gateway");
    gateway.misbehaviour.refuseSubDeviceAuth = true;
    const results: string[] = [];
    gateway.on("frame", ({ direction, message }) => {
      if (direction === "in" && message.code === 2013) results.push(message.body.authResult);
    });
    gateway.powerOn();
    await w.clock.runUntil(() => results.length === 2);
    expect(results).toEqual(["1", "1"]);
    const subs = [...(gateway.model as GatewayModel).subDevices.keys()];
    expect(subs.map((id) => w.platform.store.get(id)?.online)).toEqual([false, false]);
  });

  it("wrongUpgradeResult: reports failure after a good download", async () => {
    const w = await onlineAc();
    w.ac.misbehaviour.wrongUpgradeResult = true;
    w.platform.firmware.put("ac.bin", Buffer.from("ac firmware"));
    await w.clock.runUntilSettled(
      w.platform.operations.upgrade(w.ac.deviceId, { version: "9.0.0.0", firmware: "ac.bin" }),
    );
    await w.clock.runUntil(
      () => w.platform.store.get(w.ac.deviceId)?.events.some((e) => e.kind === "upgrade") === true,
    );
    expect(w.platform.store.get(w.ac.deviceId)?.events.at(-1)?.body).toMatchObject({ status: "1" });
  });

  it("reboot: the platform sees a new login, and the device connects over UDP again", async () => {
    const w = await onlineAc();
    const logins: string[] = [];
    w.platform.events.on("login", ({ deviceId }) => logins.push(deviceId));
    w.ac.reboot();
    await w.clock.runUntil(() => w.ac.state === "online");
    expect(logins).toEqual([w.ac.deviceId]);
    expect(w.ac.transport).toBe("udp");
    expect(w.platform.store.get(w.ac.deviceId)?.online).toBe(true);
  });

  it("loseNetwork: the platform declares the device offline, and it comes back once the network does", async () => {
    const w = await onlineAc();
    const ends: string[] = [];
    w.platform.events.on("session-end", ({ reason }) => ends.push(reason));
    const lostAt = w.clock.now();
    w.ac.loseNetwork(200_000);
    await w.clock.runUntil(() => ends.includes("offline"), { maxMs: 200_000 });
    expect(w.platform.store.get(w.ac.deviceId)?.online).toBe(false);
    await w.clock.runUntil(
      () => w.clock.now() > lostAt + 200_000 && w.platform.store.get(w.ac.deviceId)?.online === true,
      {
        maxMs: 400_000,
      },
    );
    expect(w.ac.counters.relogins).toBeGreaterThanOrEqual(1);
    expect(w.ac.counters.loginFailures).toBeGreaterThanOrEqual(1);
  });
});

/** The device's context, for driving a model directly in a test. */
function contextOf(device: import("./emulated-device.ts").EmulatedDevice) {
  return (device as unknown as { context(): import("./model.ts").DeviceContext }).context();
}
