import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { tlsRequest } from "../../harness/tls/mutual-tls.ts";
import { runLiveFuzz } from "./testing/live-fuzz.ts";
import { LegitCParty } from "./testing/live-fuzz-c-notify.ts";
import { type LiveTarget, startInProcessTarget } from "./testing/live-fuzz-targets.ts";

/**
 * Short live fuzz: hostile frames over real sockets to the login port, the TCP and UDP
 * connection ports, a live session's connection, the HTTP API and the C11-C18 server (mutual TLS) of a platform in
 * this process, while a TCP and a UDP device heartbeat and a third party reports its device with its C11 token. The
 * long run against `hilfarm platform` as a process is `npm run fuzz`.
 */

let target: LiveTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

const FRAMES = Number(process.env.HILFARM_FUZZ_LIVE_FRAMES ?? 2000);

describe("the platform under a live fuzz", () => {
  it(`stays up, keeps both devices' sessions and the third party's token, and answers its API through ${FRAMES} hostile frames`, async () => {
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
        `dropped ${JSON.stringify(report.metrics.hilfarm_platform_frames_dropped_total ?? {})}; ` +
        `HTTP API by status ${JSON.stringify(report.api.byStatus)}; c-notify ${JSON.stringify(report.cNotify)}`,
    );
    const summary = {
      crashes: report.crashes,
      legit: report.legit.filter((d) => !d.keptSession),
      apiFailures: report.api.failures,
      serverErrors: report.api.serverErrors,
      cNotifyFailures: report.cNotify.failures,
    };
    expect(summary).toEqual({
      crashes: [],
      legit: [],
      apiFailures: [],
      serverErrors: [],
      cNotifyFailures: [],
    });
    // The third party took part: its device was checked with the rest, and the C11-C18 server was fuzzed.
    expect(report.legit.map((d) => d.transport)).toEqual(["tcp", "udp", "c-notify"]);
    expect(report.bySurface["c-notify"]).toBeGreaterThan(0);
    expect(report.sent).toBeGreaterThan(FRAMES / 4);
    for (const device of report.legit) expect(device.heartbeats.answered).toBe(device.heartbeats.sent);
    // Memory level: the in-process figure includes the fuzzer itself, so the bound is loose.
    expect((report.rss.endMb ?? 0) - (report.rss.startMb ?? 0)).toBeLessThan(300);
  });

  it("notices a moved third-party session: a C11 with the platformKey replaces the token, and the next C16 is 1001", async () => {
    target = await startInProcessTarget(1);
    const access = target.cNotify;
    if (access === undefined) throw new Error("no c-notify surface");
    const party = new LegitCParty(access, target.addresses.http, new RealClock());
    await party.start();
    expect(await party.heartbeat()).toBe(true);
    // What the fuzz cannot do (it has no platformKey): take a token of its own, replacing the party's.
    const { platformId, platformKey } = access;
    const body = JSON.stringify({ platformId, platformKey, sequenceNo: "202601011200000001" });
    const taken = await tlsRequest(`${access.https}/notify/token`, { method: "POST", body }, access.client);
    expect(JSON.parse(taken.body)).toMatchObject({ code: 0 });
    expect(await party.heartbeat()).toBe(false);
    expect(party.outcome).toMatchObject({
      keptSession: false,
      lost: [expect.stringMatching(/^C16 answered code 1001/)],
    });
  });
});
