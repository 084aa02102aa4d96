import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { makeTestPki } from "../../harness/tls/certificates.ts";
import { serverOptions } from "../../harness/tls/mutual-tls.ts";
import { loadTlsMaterial } from "../../harness/tls/tls-material.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { cSmartHomeClauses } from "./c-smart-home-clauses.ts";
import { notify, runOf } from "./c-smart-home-probe.ts";
import { type CSmartHomeTarget, emulatedSmartHomeTarget, smartHomeTarget } from "./c-smart-home-target.ts";
import { type ClauseResult, runClauses } from "./clause.ts";

const time = reportSimulatedTime("conformance: smart-home platform (C11-C18)");
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

const line = (r: ClauseResult) => `${r.status} ${r.clause} ${r.title}${r.detail ? `: ${r.detail}` : ""}`;
const named = (r: ClauseResult) => `${r.clause} ${r.title}`;

async function emulated(): Promise<CSmartHomeTarget> {
  const target = await emulatedSmartHomeTarget();
  open.push(() => target.close());
  if (target.clock instanceof VirtualClock) time.track(target.clock);
  return target;
}

/**
 * A careless C11-C18 server: mutual TLS done right, but every request answered code 0 with a token, whatever it
 * carries. It stands for a platform that checks nothing after the handshake.
 */
async function carelessPlatform(clock: VirtualClock): Promise<CSmartHomeTarget> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-c-careless-"));
  const pki = await makeTestPki(dir);
  const material = await loadTlsMaterial({
    cert: pki.server.cert.path,
    key: pki.server.key.path,
    ca: pki.ca.cert.path,
  });
  const server: Server = createServer(serverOptions(material), (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          code: 0,
          desc: "ok",
          access_token: "SameTokenAlways0",
          expiredAt: clock.now() + 3_600_000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const target = await smartHomeTarget({
    url: `https://127.0.0.1:${port}`,
    tls: {
      material: {
        ca: pki.ca.cert.pem,
        cert: pki.client.cert.pem,
        key: await readFile(pki.client.key.path, "utf8"),
      },
    },
    platformId: "careless",
    platformKey: "careless-key",
    clock,
    random: seededRandom(7),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  });
  open.push(() => target.close());
  return target;
}

describe("the C11-C18 suite for a smart-home platform under test", () => {
  it("passes every clause against hilfarm's own smart-home side, on virtual time", async () => {
    const target = await emulated();
    const results = await runClauses(target, cSmartHomeClauses);
    expect(results.filter((r) => r.status !== "pass").map(line)).toEqual([]);
    expect(results.map((r) => r.clause)).toEqual([
      ...["7.1.4", "7.1.4", "7.1.4", "7.3.1.1", "7.3.1.1", "7.3.1.1", "7.3.1.9", "7.3.1.9"],
      ...["7.3.1.5", "7.3.1.6", "7.3.1.7", "7.3.1.8", "7.3.1.3"],
      ...["7.3.1.1", "7.3.1.2", "7.3.1.3", "7.3.1.4", "7.3.1.5", "7.3.1.6", "7.3.1.7", "7.3.1.8"],
      ...["7.3.1.2", "7.3.1.4", "7.3.1.7", "7.3.1.8", "7.3.1.3"],
      ...["7.3.1.4", "7.3.1.2", "7.3.1.1", "7.3.1.1"],
    ]);
  });

  it("fails, named, every refusal a platform that checks nothing after the handshake does not make", async () => {
    const target = await carelessPlatform(new VirtualClock());
    const results = await runClauses(target, cSmartHomeClauses);
    const failed = results.filter((r) => r.status === "fail").map(named);
    expect(failed).toEqual([
      "7.3.1.1 C11 with a wrong platformKey gives no token",
      "7.3.1.1 C11 with an unknown platformId gives no token",
      "7.3.1.9 C12-C18 without access_token are answered 1001",
      "7.3.1.9 C12-C18 with a token the platform never issued are answered 1001",
      ...results.filter((r) => r.title.includes("is answered 1002 naming it")).map(named),
      "7.3.1.2 C12 of a device never announced is answered 1003",
      "7.3.1.4 C14 of a device never announced is answered 1003",
      "7.3.1.7 C17 of a device never announced is answered 1003",
      "7.3.1.8 C18 of a device never announced is answered 1003",
      "7.3.1.3 C13 under a gateway never announced is answered 1003",
      "7.3.1.1 a second C11 replaces the token: the first is answered 1001, the second accepted (hilfarm's reading)",
      "7.3.1.1 a token is accepted until expiredAt and answered 1001 from then on",
    ]);
    expect(results.filter((r) => r.title.includes("1002")).length).toBe(8);
    for (const r of results.filter((r) => r.status === "fail"))
      expect(r.detail, named(r)).toMatch(/expected .+; saw .+/);
    // Without an expired certificate of its CA, that clause cannot apply; every other clause passes.
    expect(results.filter((r) => r.status === "not-applicable").map(named)).toEqual([
      "7.1.4 an expired client certificate of the trusted CA is refused in the TLS handshake",
    ]);
  });

  it("calls the target's announce hook before reporting on a device it has not announced itself", async () => {
    const real = await emulated();
    const calls: string[] = [];
    const hooked: CSmartHomeTarget = await smartHomeTarget({
      url: real.url,
      tls: { material: real.client },
      platformId: real.platformId,
      platformKey: real.platformKey,
      clock: real.clock,
      random: seededRandom(5),
      announce: async ({ deviceSN }) => {
        calls.push(deviceSN);
        // hilfarm's platform learns of a device from its first report: the hook reports it online.
        await notify(hooked, "C15", deviceSN);
      },
    });
    const results = await runClauses(hooked, cSmartHomeClauses);
    expect(results.filter((r) => r.status === "fail").map(line)).toEqual([]);
    // The suite's own C15 announces the device and C13 the sub-device; the gateway is the hook's.
    expect(calls).toEqual([runOf(hooked).gateway]);
  });

  it("fails every clause past the handshake, naming the refusal, when the suite's certificate is not trusted", async () => {
    const real = await emulated();
    const stranger = await smartHomeTarget({
      url: real.url,
      tls: { material: real.foreignClient },
      platformId: real.platformId,
      platformKey: real.platformKey,
      clock: real.clock,
      random: seededRandom(9),
    });
    const [token] = await runClauses(
      stranger,
      cSmartHomeClauses.filter((c) => c.clause === "7.3.1.1").slice(0, 1),
    );
    expect(token).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(
        /^expected an answer to C11 \/notify\/token; saw the request fail: .*TLS handshake/,
      ),
    });
  });
});
