import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import {
  FREE_PORTS,
  killAll,
  type RunningProcess,
  startHilfarm,
  startNode,
} from "../harness/testing/child-process.ts";
import { makeTestPki, type TestPki } from "../harness/tls/certificates.ts";
import { type ClientMaterial, tlsRequest } from "../harness/tls/mutual-tls.ts";
import { TlsError } from "../harness/tls/tls-error.ts";

// The independent third-party server (examples/clients/c-third-party-server.mjs, written from chapter 7 alone) as
// a separate process over mutual TLS: first on its own, then called by `hilfarm platform` (C21, C22, C28).
const CLOUD_ID = "sh-lab";
const CLOUD_KEY = "cl0ud-k3y-lab";
const LAMP = "TP-LAMP-1";
const LAMP_TYPE = "TP-LAMP-01";
/** A two-gang switch: serialId "0" in a control means both lines (7.3.2.8). */
const SWITCH = "TP-SW-1";
const SWITCH_TYPE = "TP-SWITCH-02";
const SEQUENCE_NO = /^\d{14}\d{4}$/;
const dirs: string[] = [];

afterEach(() => {
  killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function testPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), "hilfarm-c-peer-server-"));
  dirs.push(dir);
  return makeTestPki(dir, { otherCa: true });
}

/** Every JSON line the peer prints, kept as they come, with a wait for the first that matches. */
class PeerLines {
  readonly lines: Record<string, unknown>[] = [];
  private readonly waiting: (() => void)[] = [];
  constructor(peer: RunningProcess) {
    void (async () => {
      for (;;) {
        this.lines.push(await peer.next());
        for (const wake of this.waiting.splice(0)) wake();
      }
    })().catch(() => undefined);
  }
  async waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
  requests(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === "request");
  }
}

/** The peer on a free port, serving with `pki`'s server certificate and trusting `trust` (default `pki`'s CA). */
async function startPeer(pki: TestPki, trust = pki.ca.cert.path): Promise<{ url: string; log: PeerLines }> {
  const peer = startNode([
    "examples/clients/c-third-party-server.mjs",
    ...["--ca", trust, "--cert", pki.server.cert.path, "--key", pki.server.key.path],
    ...["--cloud-id", CLOUD_ID, "--cloud-key", CLOUD_KEY],
    ...["--device", `${LAMP}:${LAMP_TYPE}:power=0,level=10`, "--device", "TP-GW-1:TP-GW-01"],
    ...["--device", `${SWITCH}:${SWITCH_TYPE}:1/power=0,2/power=0`],
    ...["--sub", `TP-GW-1:${LAMP}`],
  ]);
  const log = new PeerLines(peer);
  const ready = await log.waitFor((l) => l.event === "ready");
  return { url: ready.url as string, log };
}

const clientOf = (pki: TestPki): ClientMaterial => ({
  ca: pki.ca.cert.pem,
  cert: pki.client.cert.pem,
  key: pki.client.key.pem,
});

/** A sequenceNo of this moment: YYYYMMDDHHMMSS (UTC+8) and 4 digits. */
const sequenceNo = (): string =>
  `${new Date(Date.now() + 8 * 3_600_000).toISOString().replace(/\D/g, "").slice(0, 14)}0001`;

async function call(
  url: string,
  path: string,
  body: Record<string, unknown>,
  material: ClientMaterial,
): Promise<Record<string, unknown>> {
  const answer = await tlsRequest(
    `${url}${path}`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    material,
  );
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as Record<string, unknown>;
}

describe("the independent third-party server (C21-C31) on its own", () => {
  it("issues tokens in ms, answers each interface as its table says, and refuses by code", async () => {
    const pki = await testPki();
    const { url, log } = await startPeer(pki);
    const me = clientOf(pki);
    const before = Date.now();
    const token = await call(
      url,
      "/token",
      { cloudId: CLOUD_ID, cloudKey: CLOUD_KEY, sequenceNo: sequenceNo() },
      me,
    );
    expect(token).toMatchObject({ code: 0, desc: expect.any(String), access_token: expect.any(String) });
    expect(token.expiredAt).toBeGreaterThan(before + 3_600_000);
    expect(token.expiredAt).toBeLessThan(before + 3 * 3_600_000);
    const wrongKey = await call(
      url,
      "/token",
      { cloudId: CLOUD_ID, cloudKey: "nope", sequenceNo: sequenceNo() },
      me,
    );
    expect(wrongKey).toMatchObject({ code: 1002 });
    expect(wrongKey).not.toHaveProperty("access_token");

    const auth = { access_token: token.access_token, sequenceNo: sequenceNo() };
    const c = (path: string, body: Record<string, unknown>) => call(url, path, { ...auth, ...body }, me);
    expect(await c("/device/bind", { access_token: "forged", deviceSN: LAMP })).toMatchObject({ code: 1001 });
    expect(await c("/device/bind", { deviceSN: 7 })).toMatchObject({
      code: 1002,
      desc: expect.stringContaining("deviceSN"),
    });
    expect(await c("/device/bind", { sequenceNo: "2026-11-29", deviceSN: LAMP })).toMatchObject({
      code: 1002,
      desc: expect.stringContaining("sequenceNo"),
    });
    expect(await c("/device/bind", { deviceSN: "TP-NOPE" })).toMatchObject({ code: 1003 });
    expect(await c("/device/bind", { deviceSN: LAMP })).toEqual({
      code: 0,
      desc: "success",
      deviceSN: LAMP,
      deviceType: LAMP_TYPE,
      sequenceNo: auth.sequenceNo,
    });
    expect(await c("/device/online/get", { deviceSN: LAMP })).toMatchObject({ code: 0, online: 1 });

    const control = await c("/device/control", {
      deviceSN: LAMP,
      serialId: "0",
      cmds: [{ name: "power", value: "1" }],
    });
    expect(control).toEqual({
      code: 0,
      desc: "success",
      result: [{ serialId: "0", name: "power", value: "1" }],
    });
    expect(
      await c("/device/control", { deviceSN: LAMP, serialId: "0", cmds: [{ name: "power", value: 1 }] }),
    ).toMatchObject({ code: 1002, desc: expect.stringContaining("cmds[0].value") });
    expect(await c("/device/status/get", { deviceSN: LAMP })).toMatchObject({
      code: 0,
      status: [
        { serialId: "0", name: "power", value: "1" },
        { serialId: "0", name: "level", value: "10" },
      ],
    });
    expect(await c("/gateway/subList", { gwId: "TP-GW-1" })).toEqual({
      code: 0,
      desc: "success",
      gwId: "TP-GW-1",
      deviceType: "TP-GW-01",
      online: 1,
      devices: [{ deviceSN: LAMP, deviceType: LAMP_TYPE, online: 1 }],
    });

    // Every request is one line, its token masked.
    await log.waitFor((l) => l.interface === "C29");
    const lines = log.requests();
    expect(lines.map((l) => [l.interface, l.code])).toEqual([
      ["C21", 0],
      ["C21", 1002],
      ["C22", 1001],
      ["C22", 1002],
      ["C22", 1002],
      ["C22", 1003],
      ["C22", 0],
      ["C26", 0],
      ["C28", 0],
      ["C28", 1002],
      ["C27", 0],
      ["C29", 0],
    ]);
    expect(JSON.stringify(lines)).not.toContain(String(token.access_token));
    expect(JSON.stringify(lines)).not.toContain(CLOUD_KEY);
    expect(log.lines.filter((l) => l.event === "tls-refused")).toEqual([]);
  });

  it("refuses a client without a certificate, or with one of another CA, in the handshake", async () => {
    const pki = await testPki();
    const { url, log } = await startPeer(pki);
    const other = pki.otherCa;
    if (!other) throw new Error("the test PKI has no other CA");
    const body = JSON.stringify({ cloudId: CLOUD_ID, cloudKey: CLOUD_KEY, sequenceNo: sequenceNo() });
    for (const material of [
      { ca: pki.ca.cert.pem },
      { ca: pki.ca.cert.pem, cert: other.client.cert.pem, key: other.client.key.pem },
    ]) {
      const refused = await tlsRequest(`${url}/token`, { method: "POST", body }, material).catch((e) => e);
      expect(refused).toBeInstanceOf(TlsError);
      expect((refused as TlsError).code).toBe("TLS_HANDSHAKE");
    }
    await log.waitFor(() => log.lines.filter((l) => l.event === "tls-refused").length === 2);
    const reasons = log.lines.filter((l) => l.event === "tls-refused").map((l) => String(l.reason));
    expect(reasons).toEqual([expect.stringMatching(/CERTIFICATE/), expect.stringMatching(/certificate/)]);
    expect(log.requests()).toEqual([]);
  });
});

/** `hilfarm platform` with its C11-C18 side on `pki` and the peer at `url` as its third party. */
async function startPlatform(pki: TestPki, url: string, cloudKey = CLOUD_KEY): Promise<string> {
  const platform = startHilfarm([
    "platform",
    ...["--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt"],
    ...["--interop-platform-id", "tp-lab", "--interop-platform-key", "k3y-lab", "--interop-port", "0"],
    ...["--tls-dir", pki.dir],
    ...["--third-party-url", url, "--third-party-cloud-id", CLOUD_ID, "--third-party-cloud-key", cloudKey],
  ]);
  const ready = await platform.until("ready");
  return ready.http as string;
}

async function api(http: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${http}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const bindSwitch = (http: string) => api(http, "POST", "/api/third-party/devices", { deviceSN: SWITCH });
const controlSwitch = (http: string) =>
  api(http, "POST", `/api/devices/${SWITCH}/control`, {
    serialId: "0",
    cmd: [{ cmdName: "power", cmdParam: "1" }],
  });

describe("hilfarm platform calling the independent third-party server (C21, C22, C28)", () => {
  it("binds one of its devices through the northbound API (C21, C22) and controls it (C28)", async () => {
    const pki = await testPki();
    const { url, log } = await startPeer(pki);
    const http = await startPlatform(pki, url);

    const bound = await bindSwitch(http);
    expect(bound).toEqual({
      status: 200,
      body: { deviceSN: SWITCH, deviceType: SWITCH_TYPE, via: "third-party" },
    });
    const listed = (await api(http, "GET", "/api/devices")).body as unknown as Record<string, unknown>[];
    expect(listed.find((d) => d.deviceId === SWITCH)).toMatchObject({ via: "third-party" });

    const controlled = await controlSwitch(http);
    expect(controlled.status).toBe(200);
    // The peer's `result` (both lines of the switch), not an echo of the command (line "0").
    expect(controlled.body).toMatchObject({ result: 0, state: { "1": { power: "1" }, "2": { power: "1" } } });

    await log.waitFor((l) => l.interface === "C28");
    const [token, bind, control, ...rest] = log.requests();
    expect(rest).toEqual([]);
    expect(token).toMatchObject({ interface: "C21", code: 0, body: { cloudId: CLOUD_ID, cloudKey: "***" } });
    expect(bind).toMatchObject({
      interface: "C22",
      code: 0,
      body: { deviceSN: SWITCH, access_token: "***" },
    });
    expect(control).toMatchObject({
      interface: "C28",
      code: 0,
      body: { deviceSN: SWITCH, access_token: "***", serialId: "0", cmds: [{ name: "power", value: "1" }] },
    });
    // sequenceNo: a DateTime of about now (the spec names no time zone: within a day) and 4 digits, each its own.
    const sequenceNos = [token, bind, control].map((l) =>
      String((l?.body as { sequenceNo?: unknown } | undefined)?.sequenceNo),
    );
    for (const no of sequenceNos) {
      expect(no).toMatch(SEQUENCE_NO);
      const at = Date.parse(no.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)\d{4}$/, "$1-$2-$3T$4:$5:$6Z"));
      expect(Math.abs(at - Date.now()), `${no}: a date-time of about now`).toBeLessThan(86_400_000);
    }
    expect(new Set(sequenceNos).size).toBe(3);
  });

  it("answers a clear refusal through the API when the third party refuses the platform's cloudKey", async () => {
    const pki = await testPki();
    const { url, log } = await startPeer(pki);
    const http = await startPlatform(pki, url, "not-the-key");

    const bound = await bindSwitch(http);
    expect(bound.status).toBe(502);
    expect(bound.body).toMatchObject({ error: "THIRD_PARTY_REFUSED", interface: "C21", code: 1002 });
    expect(String(bound.body.detail)).toContain("C21 /token");
    await log.waitFor((l) => l.interface === "C21");
    expect(log.requests().map((l) => [l.interface, l.code])).toEqual([["C21", 1002]]);
    // The platform still answers.
    expect((await api(http, "GET", "/api/devices")).status).toBe(200);
  });

  it("is refused at the handshake by a third party that does not trust its client certificate, and says so", async () => {
    const pki = await testPki();
    const other = pki.otherCa;
    if (!other) throw new Error("the test PKI has no other CA");
    const { url, log } = await startPeer(pki, other.ca.cert.path);
    const http = await startPlatform(pki, url);

    const bound = await bindSwitch(http);
    expect(bound.status).toBe(502);
    expect(bound.body).toMatchObject({ error: "THIRD_PARTY_UNREACHABLE", interface: "C21" });
    expect(String(bound.body.detail)).toMatch(/TLS handshake.*certificate/);
    await log.waitFor((l) => l.event === "tls-refused");
    expect(log.requests()).toEqual([]);
  });
});
