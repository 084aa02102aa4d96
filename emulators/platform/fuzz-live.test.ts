import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { openApiHeaders } from "../../harness/protocol/aqara/open-api-auth.ts";
import { signRequest } from "../../harness/protocol/lock-api/signing.ts";
import { tlsRequest } from "../../harness/tls/mutual-tls.ts";
import { AQARA_INTENTS } from "./aqara/intents.ts";
import { runLiveFuzz } from "./testing/live-fuzz.ts";
import { LegitAqaraApp } from "./testing/live-fuzz-aqara.ts";
import { LegitCParty } from "./testing/live-fuzz-c-notify.ts";
import { LegitLockClient } from "./testing/live-fuzz-lock-api.ts";
import { type LiveTarget, startInProcessTarget } from "./testing/live-fuzz-targets.ts";

/**
 * Short live fuzz: hostile frames over real sockets to the login port, the TCP and UDP
 * connection ports, a live session's connection, the HTTP API, the C11-C18 server (mutual TLS), the smart-lock open
 * API and the Aqara-style open API of a platform in this process, while a TCP and a UDP device heartbeat, a third
 * party reports its device with its C11 token, a lock-API client reads its temporary password with its token and an
 * open-API app asks about a device with its UI-SDK token. The long run against
 * `hilfarm platform` as a process is `npm run fuzz`.
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
        `HTTP API by status ${JSON.stringify(report.api.byStatus)}; c-notify ${JSON.stringify(report.cNotify)}; ` +
        `lock-api ${JSON.stringify(report.lockApi)}; aqara ${JSON.stringify(report.aqara)}`,
    );
    const summary = {
      crashes: report.crashes,
      legit: report.legit.filter((d) => !d.keptSession),
      apiFailures: report.api.failures,
      serverErrors: report.api.serverErrors,
      cNotifyFailures: report.cNotify.failures,
      lockApiFailures: report.lockApi.failures,
      aqaraFailures: report.aqara.failures,
    };
    expect(summary).toEqual({
      crashes: [],
      legit: [],
      apiFailures: [],
      serverErrors: [],
      cNotifyFailures: [],
      lockApiFailures: [],
      aqaraFailures: [],
    });
    // The third party and the lock-API client took part: each was checked with the rest, and their servers fuzzed.
    expect(report.legit.map((d) => d.transport)).toEqual(["tcp", "udp", "c-notify", "lock-api", "aqara"]);
    expect(report.bySurface["c-notify"]).toBeGreaterThan(0);
    expect(report.bySurface["lock-api"]).toBeGreaterThan(0);
    expect(report.bySurface.aqara).toBeGreaterThan(0);
    // Requests validly signed by the fuzz's own client got past the signature and token checks.
    const pastTheGate = ["1000", "1108", "1109", "2004", "2010", "success"];
    expect(pastTheGate.reduce((a, c) => a + (report.lockApi.byCode[c] ?? 0), 0)).toBeGreaterThan(0);
    // Requests validly signed by the fuzz's own app got past the header checks (to the intents: 0, 108, 302, 303, 905).
    const pastTheHeaders = ["0", "108", "905"];
    expect(pastTheHeaders.reduce((a, c) => a + (report.aqara.byCode[c] ?? 0), 0)).toBeGreaterThan(0);
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

  it("notices a moved lock-API session: a refresh with the client's own refresh token replaces its token", async () => {
    target = await startInProcessTarget(2);
    const access = target.lockApi;
    if (access === undefined) throw new Error("no lock-api surface");
    const client = new LegitLockClient(access, new RealClock());
    await client.start();
    expect(await client.heartbeat()).toBe(true);
    // What the fuzz cannot do (it has neither the legitimate secret nor its refresh token): refresh the token.
    const t = Date.now();
    const grant = signRequest({ ...access.legit, method: "GET", target: "/v1.0/token?grant_type=1", t });
    const pair = (await (
      await fetch(`${access.http}/v1.0/token?grant_type=1`, { headers: grant })
    ).json()) as {
      result: { refresh_token: string };
    };
    const refresh = `/v1.0/token/${pair.result.refresh_token}`;
    const headers = signRequest({ ...access.legit, method: "GET", target: refresh, t });
    expect(await (await fetch(`${access.http}${refresh}`, { headers })).json()).toMatchObject({
      success: true,
    });
    expect(await client.heartbeat()).toBe(false);
    expect(client.outcome).toMatchObject({
      keptSession: false,
      lost: [expect.stringMatching(/^its temporary password read back: code 1011/)],
    });
  });

  it("notices a moved open-API session: the notification that its token expired ends it, and the next query is 108", async () => {
    target = await startInProcessTarget(3);
    const access = target.aqara;
    if (access === undefined) throw new Error("no aqara surface");
    const app = new LegitAqaraApp(access, new RealClock());
    await app.start();
    expect(await app.heartbeat()).toBe(true);
    // What the fuzz cannot do (it has neither the legitimate app's key nor its token): notify that token expired.
    const { appId: appid, keyId: keyid, appKey } = access.legit;
    const headers = openApiHeaders({ appid, keyid, nonce: "revoke-1", time: String(Date.now()) }, appKey);
    const body = JSON.stringify({ intent: AQARA_INTENTS.tokenExpired, data: { token: app.token } });
    expect(await (await fetch(access.api, { method: "POST", headers, body })).json()).toMatchObject({
      code: 0,
    });
    expect(await app.heartbeat()).toBe(false);
    expect(app.outcome).toMatchObject({
      keptSession: false,
      lost: [expect.stringMatching(/^query\.device\.info with its token: code 108/)],
    });
  });
});
