import { afterEach, describe, expect, it } from "vitest";
import { startWorld } from "../../emulators/testing/world.ts";
import type { Connector } from "../../harness/link/socket-link.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { parseEnvelope } from "../../harness/protocol/mc/envelope.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";

const time = reportSimulatedTime("timing 5.2 requests and sequences");
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function onlineAc(connector?: Connector) {
  world = await startWorld({
    fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
    evidence: testEvidence,
    ...(connector ? { connector } : {}),
  });
  time.track(world.clock);
  const w = world;
  const ac = w.device("air-conditioner");
  ac.powerOn();
  await w.clock.runUntil(
    () => ac.state === "online" && w.platform.store.get(ac.deviceId)?.version.device !== undefined,
  );
  return { ...w, ac };
}

/** Links that swallow the platform's answers of one code (a platform that does not answer). */
function withholding(code: number): Connector {
  const inner = socketConnector();
  return {
    open: async (transport, address) => {
      const link = await inner.open(transport, address);
      return {
        transport: link.transport,
        send: (frame) => link.send(frame),
        close: () => link.close(),
        onBadFrame: (listener) => link.onBadFrame(listener),
        onClose: (listener) => link.onClose(listener),
        onLine: (listener) =>
          link.onLine((line) => {
            const envelope = parseEnvelope(line);
            if (!(envelope.ok && envelope.value.code === code)) listener(line);
          }),
      };
    },
  };
}

describe("5.2 responses within 10 s, resends, re-auth after 3 failed sends", () => {
  it("5.2 device side: an unanswered request is resent after 10 s with the same sequence, twice, then the device logs in again", async () => {
    const w = await onlineAc(withholding(1001));
    const sends: Array<[number, string]> = [];
    const logins: number[] = [];
    w.platform.events.on("frame", ({ direction, message, at }) => {
      if (direction === "in" && message.code === 1000) sends.push([at, message.body.sequence]);
    });
    w.platform.events.on("login", () => logins.push(w.clock.now()));
    await w.clock.runUntil(() => logins.length === 1, { maxMs: 120_000 });
    const [first = 0, sequence] = sends[0] ?? [];
    expect(sends.filter(([, s]) => s === sequence).map(([at]) => at - first)).toEqual([0, 10_000, 20_000]);
    expect((logins[0] ?? 0) - first).toBe(30_000);
  });

  it("5.2 platform side: a request is resent after 10 s with the same sequence, and the session dropped after the third failed send", async () => {
    const w = await onlineAc();
    w.ac.misbehaviour.dropResponses = 3;
    const sends: Array<[number, string]> = [];
    w.ac.on("frame", ({ direction, message, at }) => {
      if (direction === "in" && message.code === 2005) sends.push([at, message.body.sequence]);
    });
    const sentAt = w.clock.now();
    const outcome = await w.clock.runUntilSettled(
      w.platform.operations
        .control(w.ac.deviceId, { serialId: "0", cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }] })
        .catch((e: { code: string }) => e.code),
    );
    expect(outcome).toBe("DEVICE_TIMEOUT");
    expect(sends.map(([at]) => at - sentAt)).toEqual([0, 10_000, 20_000]);
    expect(new Set(sends.map(([, s]) => s)).size).toBe(1);
    expect(w.clock.now() - sentAt).toBe(30_000);
  });
});

describe("5.2.2 item 5 sequences", () => {
  it("5.2.2 device to platform: the sequence wraps from 65535 to 0 and the platform accepts it", async () => {
    const w = await onlineAc();
    const seen: number[] = [];
    w.platform.events.on("frame", ({ direction, message }) => {
      if (direction === "in" && message.code === 1000) seen.push(Number(message.body.sequence));
    });
    (w.ac as unknown as { sequence: number }).sequence = 65533;
    (w.platform.sessionOf(w.ac.deviceId) as unknown as { lastDeviceSequence: number }).lastDeviceSequence =
      65533;
    await w.clock.advanceAsync(5 * 30_000);
    expect(seen.slice(0, 5)).toEqual([65534, 65535, 0, 1, 2]);
    expect(w.ac.counters.relogins).toBe(0);
  });

  it("5.2.2 platform to device: the platform's sequence wraps from 65535 to 0 and the device accepts it", async () => {
    const w = await onlineAc();
    const session = w.platform.sessionOf(w.ac.deviceId);
    (session as unknown as { platformSequence: number }).platformSequence = 65534;
    (w.ac as unknown as { lastPlatformSequence: number }).lastPlatformSequence = 65534;
    const seen: string[] = [];
    w.ac.on("frame", ({ direction, message }) => {
      if (direction === "in" && message.code === 2003) seen.push(message.body.sequence);
    });
    for (let i = 0; i < 3; i++)
      expect(await w.clock.runUntilSettled(w.platform.operations.query(w.ac.deviceId))).toMatchObject({
        result: 0,
      });
    expect(seen).toEqual(["65535", "0", "1"]);
    expect(w.ac.counters.relogins).toBe(0);
  });

  it("5.2.2 an out-of-order sequence is answered with 100001, and the device logs in again", async () => {
    const w = await onlineAc();
    const answers: number[] = [];
    w.ac.on("frame", ({ direction, message }) => {
      if (direction === "in" && message.code === 1001) answers.push(message.body.result);
    });
    w.ac.misbehaviour.wrongSequence = 1;
    await w.clock.runUntil(() => w.ac.counters.relogins === 1 && w.ac.state === "online", { maxMs: 120_000 });
    expect(answers[0]).toBe(100001);
  });

  it("5.2.2 a device that sees the platform's sequence out of order logs in again", async () => {
    const w = await onlineAc();
    (w.platform.sessionOf(w.ac.deviceId) as unknown as { platformSequence: number }).platformSequence = 100;
    (w.ac as unknown as { lastPlatformSequence: number }).lastPlatformSequence = 5000;
    void w.platform.operations.query(w.ac.deviceId).catch(() => undefined);
    await w.clock.runUntil(() => w.ac.counters.relogins === 1, { maxMs: 60_000 });
    expect(w.ac.counters.relogins).toBe(1);
  });
});
