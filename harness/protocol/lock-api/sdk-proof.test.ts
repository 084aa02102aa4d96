import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TuyaContext } from "@tuya/tuya-connector-nodejs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RealClock } from "../../clock/real-clock.ts";
import { seededRandom } from "../../random/random.ts";
import { failureEnvelope, LOCK_API_HTTP_STATUS, successEnvelope } from "./envelope.ts";
import { LockApiError } from "./errors.ts";
import { grantLockToken, type LockTokenState, lockTokenState, refreshLockToken } from "./token.ts";
import { type ReceivedRequest, verifySignature } from "./verify.ts";

/**
 * The SDK proof: the official Node SDK (2.1.2), pointed at a real HTTP server on 127.0.0.1, gets a token, makes a
 * signed GET with a query and a POST with a body, refreshes its token on a 1010 and retries; every request it sent,
 * as the server received it, passes `verifySignature`, and fails it with one byte changed. The server answers
 * token calls from the token module and everything else with a success envelope echoing the request.
 */

const ACCESS_ID = "hilfarmlockclient001";
const SECRET = "7c1f0e2d3b4a59687766554433221100";
const UID = "bay1700000000000abcd";

interface Captured extends ReceivedRequest {
  receivedAt: number;
  body: Buffer;
}

const clock = new RealClock();
const random = seededRandom(17);
const captured: Captured[] = [];
let tokens: LockTokenState = lockTokenState();
let expireOnce = new Set<string>();
let server: Server;
let baseUrl: string;

function answer(req: IncomingMessage, body: Buffer): unknown {
  const now = clock.now();
  const target = req.url ?? "/";
  if (target.startsWith("/v1.0/token?")) {
    const issued = grantLockToken(tokens, { clientId: ACCESS_ID, uid: UID }, now, random);
    tokens = issued.state;
    return successEnvelope(issued.answer, now);
  }
  if (target.startsWith("/v1.0/token/")) {
    const refreshed = refreshLockToken(tokens, ACCESS_ID, target.slice("/v1.0/token/".length), now, random);
    if (!refreshed.ok) return failureEnvelope(refreshed.error, now);
    tokens = refreshed.value.state;
    return successEnvelope(refreshed.value.answer, now);
  }
  if (expireOnce.delete(target.split("?")[0] ?? ""))
    return failureEnvelope(new LockApiError("tokenExpired"), now);
  return successEnvelope({ method: req.method, target, body: body.toString("utf8") }, now);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      captured.push({
        method: req.method ?? "",
        target: req.url ?? "",
        headers: { ...req.headers },
        body,
        receivedAt: clock.now(),
      });
      res.writeHead(LOCK_API_HTTP_STATUS, { "content-type": "application/json" });
      res.end(JSON.stringify(answer(req, body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const verify = (r: Captured) => verifySignature(r, SECRET, r.receivedAt);

/** The request with one byte changed in a signed part: the body, the target, or the `t` header. */
function oneByteChanged(r: Captured): Captured[] {
  const body = Buffer.from(r.body.length === 0 ? "x" : r.body);
  if (r.body.length > 0) body[0] = (body[0] ?? 0) ^ 0x01;
  const t = String(r.headers.t);
  const target = `${r.target.slice(0, -1)}${r.target.endsWith("1") ? "2" : "1"}`;
  return [
    { ...r, body },
    { ...r, target },
    { ...r, headers: { ...r.headers, t: `${t.slice(0, -1)}${t.endsWith("0") ? "1" : "0"}` } },
  ];
}

describe("the official Node SDK against a real server", () => {
  it("gets a token, makes a signed GET with a query and a POST with a body; each verifies, and fails changed", async () => {
    const sdk = new TuyaContext({ baseUrl, accessKey: ACCESS_ID, secretKey: SECRET });
    const get = await sdk.request<{ target: string; body: string }>({
      method: "GET",
      path: "/v1.0/devices/vdevo1/door-lock/open-logs",
      query: { page_size: 20, page_no: 1, start_time: 1_700_000_000_000, end_time: 1_700_086_400_000 },
    });
    expect(get).toMatchObject({ success: true, result: { body: "{}" } });
    const post = await sdk.request<{ body: string }>({
      method: "POST",
      path: "/v1.0/devices/vdevo1/door-lock/temp-password",
      body: { name: "guest", password: "ABCDEF", effective_time: 1_700_000_000, invalid_time: 1_700_086_400 },
    });
    expect(post).toMatchObject({
      success: true,
      result: { body: expect.stringContaining('"name":"guest"') },
    });

    const [token, getReq, postReq] = captured;
    expect(captured).toHaveLength(3);
    expect(token).toMatchObject({ method: "GET", target: "/v1.0/token?grant_type=1" });
    expect(token?.body).toHaveLength(0);
    // The SDK sends and signs `{}` as the body of a GET; its query arrives sorted.
    expect(getReq).toMatchObject({
      method: "GET",
      target:
        "/v1.0/devices/vdevo1/door-lock/open-logs?end_time=1700086400000&page_no=1&page_size=20&start_time=1700000000000",
    });
    expect(getReq?.body.toString()).toBe("{}");
    expect(postReq?.method).toBe("POST");
    const issued = [...tokens.current.values()][0];
    for (const r of [token, getReq, postReq]) {
      if (r === undefined) throw new Error("a request is missing");
      expect(verify(r)).toMatchObject({ ok: true, value: { clientId: ACCESS_ID, algorithm: "hmac-sha256" } });
      for (const changed of oneByteChanged(r)) expect(verify(changed).ok).toBe(false);
    }
    expect(verify(getReq as Captured)).toMatchObject({
      ok: true,
      value: { accessToken: issued?.accessToken },
    });
  });

  it("answers a 1010 by refreshing (legacy-signed, accepted on the token calls) and retrying with the new token", async () => {
    captured.length = 0;
    tokens = lockTokenState();
    expireOnce = new Set(["/v1.0/devices/vdevo2/door-lock/password-ticket"]);
    const sdk = new TuyaContext({ baseUrl, accessKey: ACCESS_ID, secretKey: SECRET });
    const answer = await sdk.request({
      method: "POST",
      path: "/v1.0/devices/vdevo2/door-lock/password-ticket",
    });
    expect(answer).toMatchObject({ success: true });
    expect(captured.map((r) => r.target.replace(/\/v1\.0\/token\/\w+/, "/v1.0/token/R"))).toEqual([
      "/v1.0/token?grant_type=1",
      "/v1.0/devices/vdevo2/door-lock/password-ticket",
      "/v1.0/token/R",
      "/v1.0/devices/vdevo2/door-lock/password-ticket",
    ]);
    const [grant, first, refresh, retry] = captured as [Captured, Captured, Captured, Captured];
    expect(verify(refresh)).toMatchObject({ ok: true, value: { algorithm: "legacy" } });
    expect(verifySignature(refresh, SECRET, refresh.receivedAt, { legacy: "never" })).toMatchObject({
      ok: false,
      error: { check: "bad-sign" },
    });
    const firstToken = verify(first);
    const retryToken = verify(retry);
    expect(firstToken.ok && retryToken.ok).toBe(true);
    if (firstToken.ok && retryToken.ok) {
      expect(retryToken.value.accessToken).not.toBe(firstToken.value.accessToken);
      expect(retryToken.value.accessToken).toBe([...tokens.current.values()][0]?.accessToken);
    }
    for (const r of [grant, retry])
      for (const changed of oneByteChanged(r)) expect(verify(changed).ok).toBe(false);
    // The legacy signature covers client_id and t only: a changed t fails, a changed target or body does not.
    const [body, target, t] = oneByteChanged(refresh) as [Captured, Captured, Captured];
    expect(verify(t)).toMatchObject({ ok: false, error: { check: "bad-sign" } });
    expect([verify(body).ok, verify(target).ok]).toEqual([true, true]);
  });
});
