import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { runLiveFuzz } from "./testing/live-fuzz.ts";
import { type LiveTarget, startInProcessTarget } from "./testing/live-fuzz-targets.ts";

/**
 * Short live fuzz: hostile frames over real sockets to the login port, the TCP and UDP
 * connection ports, a live session's connection and the HTTP API of a platform in this process, while a TCP and a
 * UDP device heartbeat. The long run against `hilfarm platform` as a process is `npm run fuzz`.
 */

let target: LiveTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

const FRAMES = Number(process.env.HILFARM_FUZZ_LIVE_FRAMES ?? 2000);

describe("the platform under a live fuzz", () => {
  it(`stays up, keeps both devices' sessions and answers its API through ${FRAMES} hostile frames`, async () => {
    const seed = fc.readConfigureGlobal().seed ?? 0;
    target = await startInProcessTarget(seed);
    const report = await runLiveFuzz({
      target,
      frames: FRAMES,
      seed,
      deadlineMs: 12_000,
      checkEvery: 250,
      concurrency: 16,
    });
    console.log(
      `live fuzz: ${report.sent} frames in ${report.wallMs} ms (${report.framesPerSecond}/s) ${JSON.stringify(report.bySurface)}; ` +
        `dropped ${JSON.stringify(report.metrics.hilfarm_platform_frames_dropped_total ?? {})}`,
    );
    const summary = {
      crashes: report.crashes,
      legit: report.legit.filter((d) => !d.keptSession),
      apiFailures: report.api.failures,
      serverErrors: report.api.serverErrors,
    };
    expect(summary).toEqual({ crashes: [], legit: [], apiFailures: [], serverErrors: [] });
    expect(report.sent).toBeGreaterThan(FRAMES / 4);
    for (const device of report.legit) expect(device.heartbeats.answered).toBe(device.heartbeats.sent);
    // Memory level: the in-process figure includes the fuzzer itself, so the bound is loose.
    expect((report.rss.endMb ?? 0) - (report.rss.startMb ?? 0)).toBeLessThan(300);
  });
});
