import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryConnector } from "../../harness/link/memory-link.ts";
import { type Connector, type Link, socketConnector } from "../../harness/link/socket-link.ts";
import type { GatewayModel } from "../gateway/gateway-model.ts";
import { startWorld } from "../testing/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await world?.close();
  world = undefined;
});

const oneAc = { devices: [{ profile: "air-conditioner", count: 1 }] };

async function online(w: World, profile: string) {
  const device = w.device(profile);
  device.powerOn();
  await w.clock.runUntil(
    () => device.state === "online" && w.platform.store.get(device.deviceId)?.version.device !== undefined,
  );
  return device;
}

describe("a request the device cannot carry out is answered with an error, and the device stays up", () => {
  it("a gateway answers a control for a sub-device that has gone silently with 300001 and a dscp", async () => {
    world = await startWorld({
      fleet: {
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 1 }] },
        ],
      },
    });
    const w = world;
    const gateway = await online(w, "zigbee-gateway");
    const [sub] = [...(gateway.model as GatewayModel).subDevices.values()];
    if (sub === undefined) throw new Error("no sub-device");
    await w.clock.runUntil(() => w.platform.store.get(sub.deviceId)?.online === true);
    // Out of range without the gateway having reported it yet: the platform still routes to it.
    sub.present = false;
    const answer = await w.clock.runUntilSettled(
      w.platform.operations.control(sub.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
      }),
    );
    expect(answer).toMatchObject({ result: 300001, dscp: `sub-device ${sub.deviceId} unavailable` });
    expect(gateway.state).toBe("online");
  });

  it("a model that throws while handling a request gives 899999 naming the cause", async () => {
    world = await startWorld({ fleet: oneAc });
    const ac = await online(world, "air-conditioner");
    vi.spyOn(ac.model, "handle").mockImplementation(() => {
      throw new Error("model fault");
    });
    const answer = await world.clock.runUntilSettled(
      world.platform.operations.control(ac.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
      }),
    );
    expect(answer).toMatchObject({ result: 899999, dscp: "model fault" });
    expect(ac.state).toBe("online");
  });
});

describe("a login that cannot finish (5.4.2.1)", () => {
  it("power off during a login closes the login link and leaves no timer behind", async () => {
    const { connector, peers } = memoryConnector();
    world = await startWorld({ fleet: oneAc, connector });
    const ac = world.device("air-conditioner");
    ac.powerOn();
    // The login server took the connection and the 1002 but has not answered.
    await world.clock.runUntil(() => (peers[0]?.received.length ?? 0) === 1, { maxMs: 1 });
    ac.powerOff();
    expect(peers[0]?.closed).toBe(true);
    expect(world.clock.pending().map((t) => t.name)).toEqual([]);
    expect(ac.state).toBe("off");
  });

  it("a login server that never accepts the connection counts as unreachable after 10 s, then back-off", async () => {
    const blackHole: Connector = { open: () => new Promise<Link>(() => undefined) };
    world = await startWorld({ fleet: oneAc, connector: blackHole });
    const ac = world.device("air-conditioner");
    const failures: Array<{ reason: string; retryInMs: number; at: number }> = [];
    ac.on("login-failed", ({ reason, retryInMs }) =>
      failures.push({ reason, retryInMs, at: world?.clock.now() ?? 0 }),
    );
    const start = world.clock.now();
    ac.powerOn();
    await world.clock.runUntil(() => failures.length === 1, { maxMs: 20_000 });
    expect(failures).toEqual([{ reason: "unreachable", retryInMs: 60_000, at: start + 10_000 }]);
  });
});

/** The timers a device keeps to cancel at its session's end (a private list, read for its length). */
const trackedTimers = (device: object) =>
  (device as unknown as { timers: ReadonlyArray<{ name: string }> }).timers;

describe("the timers a device keeps for its session", () => {
  it("a device in back-off keeps only the retry it waits for, however many logins have failed", async () => {
    world = await startWorld({
      fleet: oneAc,
      connector: { open: () => Promise.reject(noPort("EADDRNOTAVAIL")) },
    });
    const ac = world.device("air-conditioner");
    let failures = 0;
    const count = () => failures++;
    ac.on("login-failed", count);
    ac.powerOn();
    // 5.4.2.1: three retries after 60 s, then every 600 s: six failed logins in 40 simulated minutes.
    await world.clock.runUntil(() => failures === 6, { maxMs: 40 * 60_000 });
    expect(trackedTimers(ac).map((t) => t.name)).toEqual(["login-retry"]);
    // A listener taken off hears no more: the seventh failure comes, untold.
    ac.off("login-failed", count);
    await world.clock.runUntil(() => ac.counters.loginFailures === 7, { maxMs: 11 * 60_000 });
    expect(failures).toBe(6);
  });

  it("an online device keeps only its heartbeat, not its spent login timer", async () => {
    world = await startWorld({ fleet: oneAc });
    const ac = await online(world, "air-conditioner");
    expect(trackedTimers(ac).map((t) => t.name)).toEqual(["heartbeat"]);
  });
});

/** A socket error as Node gives it when a bind or connect finds no local port. */
const noPort = (code: "EADDRINUSE" | "EADDRNOTAVAIL") =>
  Object.assign(new Error(`bind ${code} 127.0.0.2`), { code, syscall: "bind" });

describe("no free local port: this machine's fault, named as such", () => {
  it("a login whose connection finds no local port fails as no-local-port, then backs off as unreachable would", async () => {
    world = await startWorld({
      fleet: oneAc,
      connector: { open: () => Promise.reject(noPort("EADDRNOTAVAIL")) },
    });
    const ac = world.device("air-conditioner");
    const failures: Array<{ reason: string; retryInMs: number }> = [];
    ac.on("login-failed", ({ reason, retryInMs }) => failures.push({ reason, retryInMs }));
    ac.powerOn();
    await world.clock.runUntil(() => failures.length === 1, { maxMs: 1_000 });
    expect(failures).toEqual([{ reason: "no-local-port", retryInMs: 60_000 }]);
  });

  it("a UDP connect that finds no local port is a re-login with that cause; the third login goes over TCP (5.4.2.2)", async () => {
    const sockets = socketConnector();
    const connector: Connector = {
      open: (transport, address) =>
        transport === "udp" ? Promise.reject(noPort("EADDRINUSE")) : sockets.open(transport, address),
    };
    world = await startWorld({ fleet: oneAc, connector });
    const ac = world.device("air-conditioner");
    const relogins: Array<{ reason: string; cause?: string }> = [];
    ac.on("relogin", (event) => relogins.push(event));
    let transport: string | undefined;
    ac.on("online", (event) => {
      transport = event.transport;
    });
    ac.powerOn();
    await world.clock.runUntil(() => ac.state === "online", { maxMs: 60_000 });
    expect(relogins).toEqual([
      { reason: "no free local port for a udp link", cause: "no-local-port" },
      { reason: "no free local port for a udp link", cause: "no-local-port" },
    ]);
    expect(transport).toBe("tcp");
  });
});
