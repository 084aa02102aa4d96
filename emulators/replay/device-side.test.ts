import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { QUIET_TURNS, VirtualClock } from "../../harness/clock/index.ts";
import { defaultFieldRules } from "../../harness/replay/match-rules.ts";
import { type Recording, readRecording } from "../../harness/replay/recording.ts";
import { judgeReplay } from "../../harness/replay/verdict.ts";
import { Registry } from "../platform/registry/registry.ts";
import { startTestPlatform } from "../platform/testing/fixtures.ts";
import { replayDeviceSide } from "./device-side.ts";
import { LOCK_SESSION_HEARTBEAT, recordLockSession } from "./testing/lock-session.ts";

let recording: Recording;
let lock: { deviceId: string; pin: string };

beforeAll(async () => {
  const file = join(await mkdtemp(join(tmpdir(), "hilfarm-replay-")), "lock.jsonl");
  lock = await recordLockSession(file);
  recording = readRecording(await readFile(file, "utf8"), file);
});

/** The recording's device side against hilfarm's platform on virtual time, judged. */
async function replayAgainst(offlineHeartbeats: number, heartbeatSeconds = LOCK_SESSION_HEARTBEAT) {
  const clock = new VirtualClock({ quietTurns: QUIET_TURNS });
  const platform = await startTestPlatform(clock, {
    registry: Registry.fromDevices([lock]),
    timing: { heartbeatSeconds, offlineHeartbeats },
  });
  try {
    const outcome = await clock.runUntilSettled(
      replayDeviceSide({ recording, clock, loginAddress: platform.addresses.login, pin: lock.pin }),
    );
    return judgeReplay(outcome, { underTest: "platform", rules: defaultFieldRules, toleranceMs: 1000 });
  } finally {
    await platform.close();
  }
}

describe("replay of a device's side", () => {
  it("against the platform that was recorded: every answer as recorded, at the recorded offsets", async () => {
    const verdicts = await replayAgainst(3);
    expect(verdicts.filter((v) => v.status === "fail")).toEqual([]);
    // The platform's own requests (an unlock, a key order) came from API calls: not played by the device's side.
    expect(verdicts.filter((v) => v.status === "not-applicable").map((v) => v.title)).toEqual([
      expect.stringMatching(/2005 ControlRequest/),
      expect.stringMatching(/2031 ResourceManagementRequest/),
    ]);
    const heartbeat = verdicts.find((v) => v.title.includes("1000") && v.atMs > 30_000);
    expect(heartbeat).toMatchObject({ status: "pass", atMs: 35_000 });
  });

  it("against a platform that declares a device offline after 2 heartbeats + 10 s: fails at the heartbeat after the 23 s silence", async () => {
    const failures = (await replayAgainst(2)).filter((v) => v.status === "fail");
    expect(failures.map((v) => v.title)).toEqual([
      expect.stringMatching(/^line \d+: 1000 HeartbeatRequest -> 1001 HeartbeatResponse$/),
      expect.stringMatching(/^line \d+: 1000 HeartbeatRequest -> 1001 HeartbeatResponse$/),
    ]);
    expect(failures[0]?.atMs).toBe(35_000);
    expect(failures[0]?.differences).toEqual([
      expect.stringMatching(
        /^no 1001 HeartbeatResponse: not sent: the platform closed the connection at \+32\.0 s/,
      ),
    ]);
  });

  it("against a platform with another heartBeat: the connect answer differs, field named", async () => {
    const failures = (await replayAgainst(3, 30)).filter((v) => v.status === "fail");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.title).toMatch(/1004 ConnectRequest -> 1005 ConnectResponse/);
    expect(failures[0]?.differences).toEqual(["heartBeat: recorded 5, got 30"]);
  });
});
