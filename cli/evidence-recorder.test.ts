import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startWorld } from "../emulators/testing/world.ts";
import { openCapture } from "../harness/evidence/capture-file.ts";
import { EvidenceSlot } from "../harness/evidence/evidence-slot.ts";
import { EvidenceRecorder } from "../harness/evidence/recorder.ts";
import { runClauses } from "../scenarios/conformance/clause.ts";
import { platformClauses } from "../scenarios/conformance/platform-clauses.ts";
import { emulatedPlatformTarget } from "../scenarios/target/target.ts";
import { runCli } from "./testing/cli-run.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A slot of its own holding `recorder`: these tests record apart from the setup's recorder. */
function slotOf(recorder: EvidenceRecorder): EvidenceSlot {
  const slot = new EvidenceSlot();
  slot.use(recorder);
  return slot;
}

/** `hilfarm frame decode <args>` in this process. */
const decode = (args: string[]) => runCli(["frame", "decode", ...args]);

async function recordedWorld(recorder: EvidenceRecorder) {
  world = await startWorld({
    fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
    evidence: slotOf(recorder),
  });
  const w = world;
  const ac = w.device("air-conditioner");
  ac.powerOn();
  await w.clock.runUntil(
    () => ac.state === "online" && w.platform.store.get(ac.deviceId)?.version.device !== undefined,
  );
  await w.clock.advanceAsync(35_000);
  await w.clock.runUntilSettled(
    w.platform.operations.control(ac.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    }),
  );
  return { w, ac };
}

describe("evidence recorder", () => {
  it("records both sides of every exchange, pairs round trips, and masks secrets", async () => {
    const recorder = new EvidenceRecorder();
    const { ac } = await recordedWorld(recorder);
    const evidence = recorder.evidence();
    expect(evidence.latencies.login.length).toBe(1);
    expect(evidence.latencies.connect.length).toBe(1);
    expect(evidence.latencies.heartbeat.length).toBe(1);
    expect(evidence.latencies.control.length).toBe(1);
    expect(evidence.latencies.report.length).toBeGreaterThanOrEqual(2);
    expect(evidence.online).toEqual([[0, 1]]);
    const timeline = recorder.timeline(Number.POSITIVE_INFINITY, 1000);
    // One line per frame on the wire: the platform's view, login included.
    expect(timeline.frames.every((f) => f.observer === "platform")).toBe(true);
    expect(timeline.frames.slice(0, 4).map((f) => [f.code, f.direction])).toEqual([
      [1002, "in"],
      [1003, "out"],
      [1004, "in"],
      [1005, "out"],
    ]);
    const text = JSON.stringify(timeline.frames.map((f) => f.body));
    expect(text).toContain('"token":"[redacted]"');
    expect(text).toContain('"sessionKey":"[redacted]"');
    expect(timeline.frames.every((f) => typeof f.raw === "string" && f.raw.startsWith("CTS{"))).toBe(true);
    // No secret in clear anywhere: not in bodies, not in the raw envelopes (their token is masked too).
    const session = world?.platform.sessionOf(ac.deviceId);
    const token = session?.token ?? "";
    expect(token.length).toBeGreaterThan(0);
    expect(JSON.stringify(timeline.frames)).not.toContain(token);
    expect(timeline.frames.filter((f) => f.raw?.includes('"token":"[redacted]"')).length).toBeGreaterThan(5);
    expect(ac.state).toBe("online");
  });

  it("writes an evidence file that hilfarm frame decode reads back: from raw with the PIN, as recorded without", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "hilfarm-evidence-")), "evidence.jsonl");
    const capture = openCapture(path, { test: "recorder" });
    const { ac } = await recordedWorld(new EvidenceRecorder({ sink: (f) => capture.write(f) }));
    await capture.close();
    const pin = world?.plan.devices.find((d) => d.deviceId === ac.deviceId)?.pin ?? "";
    expect(await readFile(path, "utf8")).not.toContain(pin);

    const fromRaw = await decode(["--pin", pin, path]);
    expect(fromRaw.code).toBe(0);
    expect(fromRaw.stderr).toBe("");
    expect(fromRaw.lines.every((l) => l.source === "raw")).toBe(true);
    const control = fromRaw.lines.find((l) => l.code === 2005 && l.observer === "platform");
    expect(control).toMatchObject({
      direction: "out",
      deviceId: ac.deviceId,
      body: { cmd: [{ cmdName: "SET_POWER" }] },
    });
    expect(typeof control?.at).toBe("string");

    const recorded = await decode([path]);
    expect(recorded.code).toBe(0);
    expect(recorded.lines.length).toBe(fromRaw.lines.length);
    expect(recorded.lines.every((l) => l.source === "recorded")).toBe(true);
    expect(recorded.lines.find((l) => l.code === 1003)?.body).toMatchObject({ sessionKey: "[redacted]" });
  });

  it("decodes an evidence file of several devices with one device's PIN: that device's frames from raw, the rest as recorded", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "hilfarm-evidence-")), "evidence.jsonl");
    const capture = openCapture(path);
    world = await startWorld({
      fleet: { devices: [{ profile: "air-conditioner", count: 2 }] },
      evidence: slotOf(new EvidenceRecorder({ sink: (f) => capture.write(f) })),
    });
    const w = world;
    const [first, second] = [w.device("air-conditioner", 0), w.device("air-conditioner", 1)];
    first.powerOn();
    second.powerOn();
    await w.clock.runUntil(() => first.state === "online" && second.state === "online");
    await w.clock.advanceAsync(35_000);
    await capture.close();
    const pin = w.plan.devices.find((d) => d.deviceId === first.deviceId)?.pin ?? "";
    const decoded = await decode(["--pin", pin, path]);
    expect(decoded.code).toBe(0);
    const sources = new Set(
      decoded.lines.map((l) => `${l.deviceId === first.deviceId ? "first" : "second"} ${l.source}`),
    );
    expect(sources).toEqual(new Set(["first raw", "second recorded"]));
  });

  it("records a login the platform refuses, from its clear envelope, with the outcome", async () => {
    const recorder = new EvidenceRecorder();
    world = await startWorld({
      fleet: { devices: [{ profile: "air-conditioner", count: 1 }] },
      unregistered: () => true,
      evidence: slotOf(recorder),
    });
    const ac = world.device("air-conditioner");
    ac.powerOn();
    await world.clock.runUntil(() => ac.counters.loginFailures === 1);
    const refused = recorder.timeline(Number.POSITIVE_INFINITY).frames.filter((f) => f.note !== undefined);
    expect(refused).toEqual([
      expect.objectContaining({
        observer: "platform",
        deviceId: ac.deviceId,
        code: 1002,
        note: "login refused: unknown_device (connection closed without an answer)",
      }),
    ]);
  });

  it("keeps two slots apart: two targets at once, each one's frames in its own recorder only", async () => {
    const devices = [
      { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" },
      { deviceId: "0000111122223333aaaabbbc", pin: "QxA71p2Td8VKqxryo1nIj7BRd03Q2ybv" },
    ];
    const recorders = devices.map(() => new EvidenceRecorder());
    const targets = await Promise.all(
      devices.map((device, n) =>
        emulatedPlatformTarget([device], { evidence: slotOf(recorders[n] as EvidenceRecorder) }),
      ),
    );
    try {
      const heartbeat = platformClauses.filter((c) => c.title.startsWith("a heartbeat is answered"));
      const results = await Promise.all(targets.map((target) => runClauses(target, heartbeat)));
      expect(results.flat().map((r) => r.status)).toEqual(["pass", "pass"]);
    } finally {
      await Promise.all(targets.map((target) => target.close()));
    }
    devices.forEach(({ deviceId }, n) => {
      const recorder = recorders[n] as EvidenceRecorder;
      const frames = recorder.timeline(Number.POSITIVE_INFINITY, 1000).frames;
      expect(frames.map((f) => [f.code, f.direction])).toEqual([
        [1002, "in"],
        [1003, "out"],
        [1004, "in"],
        [1005, "out"],
        [1000, "in"],
        [1001, "out"],
      ]);
      expect(new Set(frames.map((f) => f.deviceId))).toEqual(new Set([deviceId]));
      // Both sides: the target's platform and the device the clause played, 6 frames each.
      expect(recorder.frameCount).toBe(12);
      expect(recorder.evidence().latencies.heartbeat.length).toBe(1);
    });
  });

  it("takes a failure's timeline from the frames at or before its moment, and a few after", () => {
    const recorder = new EvidenceRecorder();
    for (let i = 0; i < 100; i++)
      recorder.record({
        at: i * 1000,
        observer: "platform",
        deviceId: "d",
        direction: "in",
        code: 1000,
        name: "HeartbeatRequest",
        sequence: String(i),
        body: {},
      });
    const timeline = recorder.timeline(49_500, 5, 2);
    expect(timeline.frames.map((f) => f.sequence)).toEqual(["45", "46", "47", "48", "49", "50", "51"]);
  });
});
