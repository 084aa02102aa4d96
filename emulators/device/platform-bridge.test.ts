import { afterEach, describe, expect, it } from "vitest";
import { carrierConnector } from "../../harness/link/carrier-connector.ts";
import { memoryCarrierPair } from "../../harness/link/memory-carrier.ts";
import { PlatformBridge } from "../../harness/link/platform-bridge.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { formatEnvelope } from "../../harness/protocol/cts/envelope.ts";
import { silent, startWorld } from "../testing/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** One air conditioner behind a carrier link (as on a UART), bridged into the platform. */
async function bridged(transport: "tcp" | "udp") {
  const pair = memoryCarrierPair();
  world = await startWorld({
    fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
    connector: carrierConnector(pair.a),
  });
  const server = world.platform.addresses.connectionServers[0];
  if (server === undefined) throw new Error("no connection server");
  const bridge = new PlatformBridge(pair.b, {
    platform: { login: world.platform.addresses.login, tcp: server.tcp, udp: server.udp },
    transport,
    connector: socketConnector(),
    logger: silent,
  });
  return { w: world, pair, bridge, ac: world.device("air-conditioner") };
}

describe("platform bridge: a device behind a carrier link reaches the platform as an ordinary device", () => {
  for (const transport of ["tcp", "udp"] as const) {
    it(`logs in, connects over ${transport}, heartbeats and takes a control`, async () => {
      const { w, ac, bridge } = await bridged(transport);
      const sessions: string[] = [];
      w.platform.events.on("session", (s) => sessions.push(s.transport));
      ac.powerOn();
      await w.clock.runUntil(
        () => ac.state === "online" && w.platform.store.get(ac.deviceId)?.version.device !== undefined,
      );
      expect(sessions).toEqual([transport]);
      const resendsBefore = ac.counters.resends;
      await w.clock.advanceAsync(65_000);
      // Two heartbeats, each answered at once: nothing resent.
      expect(ac.counters.resends).toBe(resendsBefore);
      const answer = await w.clock.runUntilSettled(
        w.platform.operations.control(ac.deviceId, {
          serialId: "0",
          cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
        }),
      );
      expect(answer).toMatchObject({ result: 0, state: { "0": { POWER: "1" } } });
      expect(bridge.counters).toMatchObject({ logins: 1, sessions: 1, dropped: 0 });
    });
  }

  for (const transport of ["tcp", "udp"] as const) {
    it(`a 1002 or 1004 that only looks like the device's (anyone on its MQTT topic can send one) moves neither its login nor its session (${transport})`, async () => {
      const { w, ac, pair, bridge } = await bridged(transport);
      const fromDevice: string[] = [];
      pair.b.onLine((line) => fromDevice.push(line.toString()));
      ac.powerOn();
      await w.clock.runUntil(() => ac.state === "online");
      const ended: string[] = [];
      w.platform.events.on("session-end", ({ reason }) => ended.push(reason));
      const connect = fromDevice.find((line) => line.includes('"code":1004')) ?? "";
      const login = fromDevice.find((line) => line.includes('"code":1002')) ?? "";
      const { token } = JSON.parse(connect.slice("CTS".length)) as { token: string };
      const hostile = [
        formatEnvelope({ code: 1004, token, data: "AAAAAAAAAAAAAAAAAAAAAA==" }),
        formatEnvelope({ code: 1004, token: "not-a-token", data: "AAAA" }),
        formatEnvelope({ code: 1002, deviceId: ac.deviceId, data: "AAAAAAAAAAAAAAAAAAAAAA==" }),
        connect,
        login,
      ];
      for (const line of hostile) pair.a.send(Buffer.from(line));
      const resendsBefore = ac.counters.resends;
      await w.clock.advanceAsync(65_000);
      expect(ended).toEqual([]);
      expect(ac.state).toBe("online");
      // Two heartbeats, each answered at once on the session the device opened.
      expect(ac.counters.resends).toBe(resendsBefore);
      expect(bridge.counters).toMatchObject({ logins: 3, sessions: 3, resent: 1 });
      const answer = await w.clock.runUntilSettled(
        w.platform.operations.control(ac.deviceId, {
          serialId: "0",
          cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
        }),
      );
      expect(answer).toMatchObject({ result: 0 });
    });
  }

  it("unplugged: the platform's session ends; plugged back: the device logs in again", async () => {
    const { w, ac, pair } = await bridged("tcp");
    ac.powerOn();
    await w.clock.runUntil(() => ac.state === "online");
    const ended: string[] = [];
    w.platform.events.on("session-end", ({ reason }) => ended.push(reason));
    pair.unplug();
    await w.clock.runUntil(() => ended.length === 1);
    expect(ended).toEqual(["closed"]);
    expect(ac.state).not.toBe("online");
    pair.plug();
    // The device's login back-off: the next attempt comes within 60 s.
    await w.clock.runUntil(() => ac.state === "online", { maxMs: 61_000 });
    expect(w.platform.store.get(ac.deviceId)?.online).toBe(true);
  });

  it("drops what is not a frame, and frames before any session", async () => {
    const { w, pair, bridge } = await bridged("tcp");
    pair.a.send(Buffer.from("AT+RST\r\n"));
    pair.a.send(Buffer.from('CTS{"code":1000,"token":"abc","data":"AAAA"}\r\n'));
    await w.clock.advanceAsync(1);
    expect(bridge.counters).toMatchObject({ dropped: 2, logins: 0, sessions: 0 });
  });
});
