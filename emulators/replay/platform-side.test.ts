import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QUIET_TURNS, VirtualClock } from "../../harness/clock/index.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { defaultFieldRules } from "../../harness/replay/match-rules.ts";
import { readRecording } from "../../harness/replay/recording.ts";
import { judgeReplay } from "../../harness/replay/verdict.ts";
import { EmulatedDevice } from "../device/emulated-device.ts";
import type { Misbehaviour } from "../device/misbehaviour.ts";
import { Registry } from "../platform/registry/registry.ts";
import { startTestPlatform } from "../platform/testing/fixtures.ts";
import { shippedProfiles } from "../profiles/load.ts";
import { ProfileModel } from "../profiles/profile-model.ts";
import { silent } from "../testing/world.ts";
import { replayPlatformSide } from "./platform-side.ts";
import { LOCK_SESSION_HEARTBEAT, recordSession } from "./testing/lock-session.ts";

/**
 * A session in which the platform sends a query, sends it again after its answer (a retransmission, 5.2), and then
 * skips sequences (the lock must take that as an error and log in again, 5.2.2 item 5), as a certification does.
 */
async function recordRetransmissions(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "hilfarm-replay-")), "retransmissions.jsonl");
  await recordSession(file, async (w, lock, start) => {
    await w.clock.runUntil(start + 2_000);
    await w.clock.runUntilSettled(w.platform.operations.query(lock.deviceId));
    w.platform.sessionOf(lock.deviceId)?.retransmitLastRequest();
    await w.clock.runUntil(start + 3_000);
    w.platform.sessionOf(lock.deviceId)?.skipSequences(5);
    await w.clock.runUntilSettled(w.platform.operations.query(lock.deviceId)).catch(() => undefined);
    await w.clock.runUntil(start + 70_000);
  });
  return file;
}

/** The recording's platform side, played by hilfarm's platform to an emulated lock on virtual time. */
async function replayTo(file: string, misbehaviour: Partial<Misbehaviour> = {}) {
  const recording = readRecording(await readFile(file, "utf8"), file);
  const pin = "R3PLAYR3PLAYR3PLAYR3PLAYR3PLAY00";
  const clock = new VirtualClock({ quietTurns: QUIET_TURNS });
  const platform = await startTestPlatform(clock, {
    registry: Registry.fromDevices([{ deviceId: recording.deviceId, pin, model: "LOCK-01" }]),
    timing: { heartbeatSeconds: LOCK_SESSION_HEARTBEAT },
  });
  const profile = (await shippedProfiles()).get("smart-lock");
  if (profile === undefined) throw new Error("no smart-lock profile");
  const device = new EmulatedDevice({
    deviceId: recording.deviceId,
    pin,
    model: new ProfileModel(recording.deviceId, profile, pin),
    loginAddress: platform.addresses.login,
    clock,
    random: seededRandom(6),
    logger: silent,
    connector: socketConnector(),
    transport: "tcp",
    misbehaviour,
  });
  const frames: Array<{ direction: string; code: number; sequence: unknown }> = [];
  platform.events.on("frame", (f) =>
    frames.push({
      direction: f.direction,
      code: f.message.code,
      sequence: (f.message.body as { sequence?: unknown }).sequence,
    }),
  );
  try {
    device.powerOn();
    const outcome = await clock.runUntilSettled(
      replayPlatformSide({ recording, clock, platform, sessionWaitMs: 30_000 }),
    );
    return {
      verdicts: judgeReplay(outcome, { underTest: "device", rules: defaultFieldRules, toleranceMs: 1000 }),
      frames,
    };
  } finally {
    device.powerOff();
    await platform.close();
  }
}

describe("replay of a platform's side", () => {
  it("plays a retransmission after the answer and a skipped sequence as recorded; a well-behaved lock passes", async () => {
    const file = await recordRetransmissions();
    const { verdicts, frames } = await replayTo(file);
    expect(verdicts.filter((v) => v.status === "fail")).toEqual([]);
    const queries = verdicts.filter((v) => v.title.includes("2003 StatusQueryRequest"));
    expect(queries).toHaveLength(3);
    // The second query went out again with the first one's sequence, and was answered with it.
    const sent = frames
      .filter((f) => f.direction === "out" && f.code === 2003)
      .map((f) => Number(f.sequence));
    expect(sent[0]).toBeDefined();
    // The replay's third query skipped 5 sequences after the first, as the recording did.
    expect(sent.at(-1)).toBe(((sent[0] as number) + 6) % 65536);
    const answers = frames
      .filter((f) => f.direction === "in" && f.code === 2002)
      .map((f) => Number(f.sequence));
    expect(answers.slice(0, 2)).toEqual([sent[0], sent[0]]);
  });

  it("a lock that swallows its answers fails at the query, named", async () => {
    const file = await recordRetransmissions();
    const { verdicts } = await replayTo(file, { dropResponses: 100 });
    const failed = verdicts.filter((v) => v.status === "fail").map((v) => v.title);
    expect(failed[0]).toMatch(/^line \d+: 2003 StatusQueryRequest -> 2002 StatusQueryResponse$/);
  });
});
