import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import type { EmulatedDevice } from "../../device/emulated-device.ts";
import type { DeviceContext } from "../../device/model.ts";
import type { ProfileModel } from "../../profiles/profile-model.ts";
import { startWorld } from "../../testing/world.ts";
import { closePlatformContext, createPlatformContext } from "../context.ts";
import type { PushReceiverOptions } from "../platform-options.ts";
import { startSurfaces } from "../surface.ts";
import { startTestPlatform, testRegistry } from "../testing/fixtures.ts";
import { pushSurface } from "./surface.ts";
import { startTestReceiver } from "./testing/test-receiver.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
type Receiver = Awaited<ReturnType<typeof startTestReceiver>>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SIGNING = { appKey: "lab-push-key", appSecret: "lab-push-secret-0123456789abcdef" };
const contextOf = (device: EmulatedDevice) => (device as unknown as { context(): DeviceContext }).context();

/** A smart lock online, its platform pushing to `receivers` (made on the world's clock). */
async function lockWorld(
  receivers: (receiver: (signing?: typeof SIGNING) => Promise<Receiver>) => Promise<PushReceiverOptions[]>,
  lines: string[] = [],
) {
  let clockOf: World["clock"] | undefined;
  const pending: Receiver[] = [];
  // The receivers check times on the world's clock: made once it exists, through this indirection.
  const clock = {
    now: () => clockOf?.now() ?? 0,
    setTimeout: () => {
      throw new Error("unused");
    },
    setInterval: () => {
      throw new Error("unused");
    },
    realWork: () => {
      throw new Error("unused");
    },
  };
  const made = await receivers(async (signing) => {
    const r = await startTestReceiver(clock, signing);
    pending.push(r);
    cleanups.push(() => r.close());
    return r;
  });
  const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
  const w = await startWorld({
    fleet: { devices: [{ profile: "smart-lock", count: 1 }] },
    platform: { push: { receivers: made }, logger },
  });
  cleanups.push(() => w.close());
  clockOf = w.clock;
  w.fleet.powerOn();
  const lock = w.device("smart-lock");
  await w.clock.runUntil(() => w.platform.store.get(lock.deviceId)?.version.device !== undefined);
  return { w, lock, receivers: pending };
}

describe("the push sender over the platform's devices", () => {
  it("pushes online, state, event and alarm in order, signed to one receiver and unsigned to another", async () => {
    let signed: Receiver | undefined;
    let unsigned: Receiver | undefined;
    const { w, lock } = await lockWorld(async (receiver) => {
      signed = await receiver(SIGNING);
      unsigned = await receiver();
      return [
        { url: signed.url, ...SIGNING, clientIds: ["app-1", "app-2"] },
        { url: unsigned.url, clientIds: ["app-3"] },
      ];
    });
    const unlocked = await w.clock.runUntilSettled(
      w.platform.operations.control(lock.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "UNLOCK", cmdParam: "" }],
      }),
    );
    expect(unlocked).toMatchObject({ result: 0 });
    const model = lock.model as ProfileModel;
    await w.clock.runUntilSettled(model.setStatus(contextOf(lock), "0", "BATTERY", "15"));
    const kinds = (r: Receiver | undefined) => (r?.pushes ?? []).map((p) => p.data.msgType);
    await w.clock.runUntil(() => kinds(signed).includes("alarm") && kinds(unsigned).includes("alarm"));
    await w.clock.advanceAsync(1000);

    const pushes = signed?.pushes ?? [];
    expect(pushes.every((p) => p.verdict === "ok")).toBe(true);
    expect(
      pushes.every((p) => p.headers.appkey === SIGNING.appKey && typeof p.headers.sign === "string"),
    ).toBe(true);
    expect(new Set(pushes.map((p) => p.headers.nonce)).size).toBe(pushes.length);
    expect(pushes.every((p) => p.body.token === "app-1,app-2" && p.data.deviceId === lock.deviceId)).toBe(
      true,
    );
    const sequence = kinds(signed);
    const at = (kind: string) => sequence.indexOf(kind);
    expect(at("online")).toBeGreaterThanOrEqual(0);
    expect(at("online")).toBeLessThan(at("state"));
    // Events and alarms in the order the platform recorded them.
    const recorded = w.platform.store.get(lock.deviceId)?.events.map((e) => e.kind);
    expect(sequence.filter((k) => k === "event" || k === "alarm" || k === "fault")).toEqual(recorded);
    expect(at("event")).toBeLessThan(at("alarm"));
    expect(pushes[at("online")]?.data).toMatchObject({ model: lock.model.model, payload: { online: true } });
    expect(pushes[at("event")]?.data.payload).toMatchObject({ eventName: "LOCK_OPEN" });
    expect(pushes[at("alarm")]?.data.payload).toMatchObject({ statusName: "BATTERY", curStatusValue: "15" });
    const times = pushes.map((p) => Number(p.data.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The unsigned receiver got the same messages in the same order, without appkey or sign.
    expect(kinds(unsigned)).toEqual(sequence);
    expect(unsigned?.pushes.every((p) => p.verdict === "ok" && p.body.token === "app-3")).toBe(true);
    expect(unsigned?.pushes.some((p) => "appkey" in p.headers || "sign" in p.headers)).toBe(false);
  });

  it("stops after 5 abnormal answers (HTTP 500, a body out of the format, no answer in 10 s) and says so", async () => {
    const lines: string[] = [];
    let receiver: Receiver | undefined;
    const { w, lock } = await lockWorld(async (start) => {
      receiver = await start(SIGNING);
      receiver.answerNext("http-500", "bad-body", "http-500", "bad-body", "silent");
      return [{ url: receiver.url, ...SIGNING, clientIds: ["app-1"] }];
    }, lines);
    // Connecting gave a few changes; an opening gives more (state, event): at least 5 in all.
    const unlock = () =>
      w.clock.runUntilSettled(
        w.platform.operations.control(lock.deviceId, {
          serialId: "0",
          cmd: [{ cmdName: "UNLOCK", cmdParam: "" }],
        }),
      );
    await unlock();
    const warned = () => lines.some((l) => l.includes("push receiver suspended"));
    await w.clock.runUntil(warned, { maxMs: 60_000 });
    expect(receiver?.pushes).toHaveLength(5);
    const line = JSON.parse(lines.find((l) => l.includes("push receiver suspended")) ?? "{}");
    expect(line).toMatchObject({ level: 40, receiver: receiver?.url });
    expect(line.reason).toBe("5 abnormal answers in a row, the last: no answer within 10000 ms");
    expect(lines.join("\n")).not.toContain(SIGNING.appSecret);

    // More changes: no more pushes, each counted as dropped.
    await unlock();
    await w.clock.advanceAsync(30_000);
    expect(receiver?.pushes).toHaveLength(5);
    const metrics = await (await fetch(`${w.platform.addresses.http}/metrics`)).text();
    const label = `receiver="${receiver?.url}"`;
    expect(metrics).toContain(`hilfarm_platform_push_receiver_suspended{${label}} 1`);
    expect(metrics).toContain(`hilfarm_platform_pushes_total{${label},answer="abnormal"} 5`);
    expect(metrics).toMatch(
      new RegExp(`hilfarm_platform_pushes_dropped_total\\{${label},reason="suspended"\\} [1-9]`),
    );
  });

  it("refuses receivers it cannot push to, naming the option and the value", async () => {
    const refused = (receiver: PushReceiverOptions) =>
      startTestPlatform(new VirtualClock(), { push: { receivers: [receiver] } });
    await expect(refused({ url: "nope", clientIds: ["a"] })).rejects.toThrow('--push-url: not a URL: "nope"');
    await expect(refused({ url: "http://127.0.0.1:1/", clientIds: [] })).rejects.toThrow(/--push-client-id/);
    await expect(refused({ url: "http://127.0.0.1:1/", clientIds: ["a"], appKey: "k" })).rejects.toThrow(
      /--push-app-secret/,
    );
    await expect(refused({ url: "http://127.0.0.1:1/", clientIds: ["a"], abnormalLimit: 0 })).rejects.toThrow(
      "--push-abnormal-limit: expected an integer 1-10000, got 0",
    );
  });

  it("subscribes to the fan-out while it runs, and offers its sender to the API's routes until closed", async () => {
    const clock = new VirtualClock();
    const receiver = await startTestReceiver(clock);
    cleanups.push(() => receiver.close());
    const context = await createPlatformContext({
      registry: testRegistry(),
      clock,
      logger: pino({ level: "silent" }),
      push: { receivers: [{ url: receiver.url, clientIds: ["a"] }] },
    });
    cleanups.push(() => closePlatformContext(context));
    const started = await startSurfaces([pushSurface], context);
    expect(started.addresses).toEqual({ push: {} });
    expect(context.push?.report()).toMatchObject([{ index: 0, url: receiver.url, signing: false }]);
    context.fanout.publish("00000000000000000000zb02", "alarm", { statusName: "BATTERY" });
    await clock.runUntil(() => receiver.pushes.length === 1);
    expect(receiver.pushes[0]?.data).toEqual({
      msgType: "alarm",
      deviceId: "00000000000000000000zb02",
      model: "LOCK-01",
      time: clock.now(),
      payload: { statusName: "BATTERY" },
    });
    await started.close();
    expect(context.push).toBeUndefined();
    context.fanout.publish("00000000000000000000zb02", "alarm", {});
    await clock.advanceAsync(1000);
    expect(receiver.pushes).toHaveLength(1);
  });
});
