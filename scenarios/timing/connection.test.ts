import { afterEach, describe, expect, it } from "vitest";
import { startWorld, type WorldOptions } from "../../emulators/testing/world.ts";
import { FaultyConnector } from "../../harness/link/faults.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";

const time = reportSimulatedTime("timing 5.4.2 login, connect, heartbeat");
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function acWorld(options: Partial<WorldOptions> = {}) {
  world = await startWorld({
    fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
    evidence: testEvidence,
    ...options,
  });
  time.track(world.clock);
  return { ...world, ac: world.device("air-conditioner") };
}

async function online(w: World & { ac: ReturnType<World["device"]> }) {
  w.ac.powerOn();
  await w.clock.runUntil(
    () => w.ac.state === "online" && w.platform.store.get(w.ac.deviceId)?.version.device !== undefined,
  );
}

/** Time of the last frame the platform received from the device, and when it declared it offline. */
function watchSilence(w: World) {
  const seen = { last: w.clock.now(), offlineAt: 0 };
  w.platform.events.on("frame", ({ direction, at }) => {
    if (direction === "in") seen.last = at;
  });
  w.platform.events.on("session-end", ({ reason }) => {
    if (reason === "offline") seen.offlineAt = w.clock.now();
  });
  return seen;
}

describe("5.4.2.3 heartbeat supervision", () => {
  for (const heartbeatSeconds of [30, 5]) {
    it(`5.4.2.3 offline at exactly 3 x ${heartbeatSeconds} s + 10 s of silence, not 1 ms earlier (${heartbeatSeconds === 30 ? "default" : "platform-set"} interval)`, async () => {
      const w = await acWorld(heartbeatSeconds === 30 ? {} : { platform: { timing: { heartbeatSeconds } } });
      await online(w);
      expect(w.ac.heartbeat).toBe(heartbeatSeconds);
      w.ac.misbehaviour.skipHeartbeats = true;
      const seen = watchSilence(w);
      const deadline = 3 * heartbeatSeconds * 1000 + 10_000;
      await w.clock.runUntil(seen.last + deadline - 1);
      expect(w.platform.store.get(w.ac.deviceId)?.online).toBe(true);
      await w.clock.runUntil(seen.last + deadline);
      expect(w.platform.store.get(w.ac.deviceId)?.online).toBe(false);
      expect(seen.offlineAt - seen.last).toBe(deadline);
    });
  }

  it("5.4.2 (3) any message counts as life: a state report restarts the 100 s", async () => {
    const w = await acWorld();
    await online(w);
    w.ac.misbehaviour.skipHeartbeats = true;
    const seen = watchSilence(w);
    await w.clock.advanceAsync(90_000);
    await w.clock.runUntilSettled(
      (w.ac.model as import("../../emulators/profiles/profile-model.ts").ProfileModel).reportAll(
        contextOf(w.ac),
      ),
    );
    const reportedAt = seen.last;
    expect(reportedAt).toBeGreaterThan(w.clock.now() - 1);
    await w.clock.runUntil(() => seen.offlineAt > 0, { maxMs: 200_000 });
    expect(seen.offlineAt - reportedAt).toBe(100_000);
  });
});

describe("5.4.2.1 login back-off", () => {
  it("5.4.2.1 retries after 60 s three times, then every 600 s when the platform gave no authInterval", async () => {
    const w = await acWorld({ unregistered: () => true });
    const attempts: number[] = [];
    w.ac.on("login-failed", () => attempts.push(w.clock.now()));
    w.ac.powerOn();
    await w.clock.runUntil(() => attempts.length >= 6, { maxMs: 3_600_000 });
    expect(attempts.slice(1).map((at, i) => at - (attempts[i] ?? 0))).toEqual([
      60_000, 60_000, 60_000, 600_000, 600_000,
    ]);
  });

  it("5.4.2.1 retries after 60 s three times, then every authInterval the platform gave (120 s)", async () => {
    let faulty: FaultyConnector | undefined;
    const w = await acWorld({
      platform: { timing: { authIntervalSeconds: 120 } },
      connector: (clock) => {
        faulty = new FaultyConnector(socketConnector(), clock, seededRandom(1));
        return faulty;
      },
    });
    await online(w);
    const attempts: number[] = [];
    w.ac.on("login-failed", () => attempts.push(w.clock.now()));
    // The platform becomes unreachable: connections are reset and new ones refused.
    faulty?.cut("reset");
    await w.clock.runUntil(() => attempts.length >= 6, { maxMs: 3_600_000 });
    expect(attempts.slice(1).map((at, i) => at - (attempts[i] ?? 0))).toEqual([
      60_000, 60_000, 60_000, 120_000, 120_000,
    ]);
    faulty?.heal();
    await w.clock.runUntil(() => w.ac.state === "online", { maxMs: 200_000 });
  });
});

describe("5.4.2.2 connect", () => {
  it("5.4.2.2 UDP first, TCP after the third authentication since power-on", async () => {
    const w = await acWorld();
    const transports: string[] = [];
    w.ac.on("online", ({ transport }) => {
      transports.push(transport);
      if (transports.length < 3) w.platform.sessionOf(w.ac.deviceId)?.end("offline");
    });
    w.ac.powerOn();
    await w.clock.runUntil(() => transports.length === 3, { maxMs: 600_000 });
    expect(transports).toEqual(["udp", "udp", "tcp"]);
    w.ac.reboot();
    await w.clock.runUntil(() => transports.length === 4, { maxMs: 60_000 });
    expect(transports[3]).toBe("udp");
  });

  it("5.4.2.2 the full state, resources and version are reported right after connecting", async () => {
    world = await startWorld({
      fleet: { devices: [{ profile: "air-purifier", count: 1 }] },
      evidence: testEvidence,
    });
    time.track(world.clock);
    const w = world;
    const purifier = w.device("air-purifier");
    const connectedAt: number[] = [];
    const reports: Array<[number, number]> = [];
    w.platform.events.on("session", () => connectedAt.push(w.clock.now()));
    w.platform.events.on("frame", ({ direction, message, at }) => {
      if (direction === "in" && (message.code === 2006 || message.code === 2022))
        reports.push([message.code, at]);
    });
    purifier.powerOn();
    await w.clock.runUntil(() => reports.length >= 2);
    expect(reports.map(([code]) => code)).toEqual([2006, 2022]);
    expect(reports.every(([, at]) => at === connectedAt[0])).toBe(true);
    expect(w.platform.store.get(purifier.deviceId)?.resources[0]?.resourceSerial[0]?.resourceName).toBe(
      "CONSUM",
    );
  });
});

/** The device's context, to drive its model as its own firmware would. */
function contextOf(device: ReturnType<World["device"]>) {
  return (
    device as unknown as { context(): import("../../emulators/device/model.ts").DeviceContext }
  ).context();
}
