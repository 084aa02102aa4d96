import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/index.ts";
import { UsageError } from "../../harness/errors.ts";
import {
  type CInterfaceId,
  checkToken,
  cInterfaceAt,
  cInterfaces,
  cResponse,
  formatDateTime,
  issueToken,
  parseCRequestText,
  parseSequenceNo,
  type TokenState,
  tokenState,
} from "../../harness/protocol/c/index.ts";
import { seededRandom } from "../../harness/random/index.ts";
import { type CertifiedKey, makeTestPki, type TestPki, tlsPaths } from "../../harness/tls/certificates.ts";
import { serverOptions } from "../../harness/tls/mutual-tls.ts";
import { loadTlsMaterial } from "../../harness/tls/tls-material.ts";
import { ThirdPartyError } from "./errors.ts";
import { ThirdPartyClient } from "./third-party-client.ts";
import { type CTransport, fetchTransport, tlsTransport } from "./transport.ts";

const BASE = "https://third-party.test";
const CLOUD_ID = "ctsh-01";
const CLOUD_KEY = "cloud-key-secret-1";
const LIFETIME_MS = 60_000;
const TIMEOUT_MS = 5_000;
const CONTROL = { deviceSN: "SN-0001", serialId: "0", cmds: [{ name: "switch", value: "1" }] };

/** The third-party platform's side, as the spec has it (7.3.2): tokens by `token.ts`, answers by `cResponse`. */
class PeerModel {
  tokens: TokenState = tokenState({ [CLOUD_ID]: CLOUD_KEY }, { interface: "C21", lifetimeMs: LIFETIME_MS });
  readonly issued: string[] = [];
  readonly received: { id: CInterfaceId; body: Record<string, unknown> }[] = [];
  private readonly source = seededRandom(7);
  constructor(private readonly clock: VirtualClock) {}

  count(id: CInterfaceId): number {
    return this.received.filter((r) => r.id === id).length;
  }

  /** Forgets every token issued: the next request with one is 1001. */
  revoke(): void {
    this.tokens = tokenState({ [CLOUD_ID]: CLOUD_KEY }, { interface: "C21", lifetimeMs: LIFETIME_MS });
  }

  answer(id: CInterfaceId, text: string): Record<string, unknown> {
    const parsed = parseCRequestText(id, text);
    if (!parsed.ok) return cResponse(id, parsed.error.resultCode, { desc: parsed.error.message });
    const body = parsed.value as Record<string, unknown>;
    this.received.push({ id, body });
    if (id === "C21") {
      const issue = issueToken(this.tokens, CLOUD_ID, String(body.cloudKey), this.clock.now(), this.source);
      if (!issue.ok) return cResponse("C21", 1002, { desc: issue.error.message });
      this.tokens = issue.value.state;
      this.issued.push(issue.value.access_token);
      return cResponse("C21", 0, {
        access_token: issue.value.access_token,
        expiredAt: issue.value.expiredAt,
      });
    }
    if (!checkToken(this.tokens, String(body.access_token), this.clock.now()).ok) return cResponse(id, 1001);
    if (id === "C28") return cResponse("C28", 0, { result: [{ serialId: "0", name: "switch", value: "1" }] });
    if (id === "C26") return cResponse("C26", 0, { online: 1 });
    return cResponse(id, 9999);
  }
}

/** The message and own fields of an error, for checking that no secret is in them. */
const shown = (error: unknown): string => `${String(error)} ${JSON.stringify(error)}`;

async function failure(promise: Promise<unknown>): Promise<ThirdPartyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ThirdPartyError);
  return error as ThirdPartyError;
}

describe("ThirdPartyClient over HTTP (msw): tokens, sequenceNo and typed errors (7.3.2)", () => {
  let clock: VirtualClock;
  let peer: PeerModel;
  const server = setupServer();
  const handlers = () =>
    (["C21", "C26", "C28"] as const).map((id) =>
      http.post(`${BASE}${cInterfaces[id].path}`, async ({ request }) =>
        HttpResponse.json(peer.answer(id, await request.text())),
      ),
    );

  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  beforeEach(() => {
    clock = new VirtualClock();
    peer = new PeerModel(clock);
    server.resetHandlers(...handlers());
  });

  const client = (transport: CTransport = fetchTransport()) =>
    new ThirdPartyClient({
      baseUrl: BASE,
      cloudId: CLOUD_ID,
      cloudKey: CLOUD_KEY,
      transport,
      clock,
      random: seededRandom(1),
      timeoutMs: TIMEOUT_MS,
    });

  it("gets a token with C21 on the first call, then makes the call with it", async () => {
    const answer = await client().call("C28", CONTROL);
    expect(answer).toMatchObject({ code: 0, result: [{ serialId: "0", name: "switch", value: "1" }] });
    expect(peer.received.map((r) => r.id)).toEqual(["C21", "C28"]);
    expect(peer.received[0]?.body).toMatchObject({ cloudId: CLOUD_ID, cloudKey: CLOUD_KEY });
    expect(peer.received[1]?.body).toMatchObject({ ...CONTROL, access_token: peer.issued[0] });
    expect(clock.timerCount()).toBe(0);
  });

  it("every request carries a valid sequenceNo of the clock's time (UTC+8) and 4 serial digits", async () => {
    const c = client();
    await c.call("C28", CONTROL);
    await c.call("C26", { deviceSN: "SN-0001" });
    for (const { body } of peer.received) {
      const parts = parseSequenceNo(body.sequenceNo);
      expect(parts.ok).toBe(true);
      if (parts.ok) expect(parts.value.dateTime).toBe(formatDateTime(clock.now()));
    }
    expect(new Set(peer.received.map((r) => r.body.sequenceNo)).size).toBe(3);
  });

  it("reuses the token until it expires on the clock, then gets a new one", async () => {
    const c = client();
    await c.call("C28", CONTROL);
    clock.advance(LIFETIME_MS - 1);
    await c.call("C26", { deviceSN: "SN-0001" });
    expect(peer.count("C21")).toBe(1);
    clock.advance(1); // now == expiredAt: expired (7.3.2.1)
    expect((await c.call("C28", CONTROL)).code).toBe(0);
    expect(peer.count("C21")).toBe(2);
    expect(peer.issued).toHaveLength(2);
    expect(peer.received.at(-1)?.body.access_token).toBe(peer.issued[1]);
  });

  it("on 1001 gets a new token and retries the call once", async () => {
    const c = client();
    await c.call("C28", CONTROL);
    peer.revoke();
    expect((await c.call("C28", CONTROL)).code).toBe(0);
    expect(peer.received.map((r) => r.id)).toEqual(["C21", "C28", "C28", "C21", "C28"]);
    expect(peer.received.at(-1)?.body.access_token).toBe(peer.issued[1]);
  });

  it("a second 1001 with the new token is C_TOKEN_INVALID", async () => {
    server.use(
      http.post(`${BASE}/device/control`, () => HttpResponse.json({ code: 1001, desc: "Token 失效" })),
    );
    const error = await failure(client().call("C28", CONTROL));
    expect(error).toMatchObject({ code: "C_TOKEN_INVALID", interfaceId: "C28", resultCode: 1001 });
    expect(peer.count("C21")).toBe(2);
  });

  it("concurrent calls share one C21", async () => {
    const c = client();
    const answers = await Promise.all([
      c.call("C28", CONTROL),
      c.call("C26", { deviceSN: "SN-0001" }),
      c.call("C28", CONTROL),
    ]);
    expect(answers.map((a) => a.code)).toEqual([0, 0, 0]);
    expect(peer.count("C21")).toBe(1);
    expect(new Set(peer.received.filter((r) => r.id !== "C21").map((r) => r.body.access_token))).toEqual(
      new Set([peer.issued[0]]),
    );
  });

  it("a body that is no JSON is C_NOT_JSON naming the interface, and does not quote the body", async () => {
    const c = client();
    await c.call("C28", CONTROL);
    const token = peer.issued[0] ?? "";
    server.use(
      http.post(
        `${BASE}/device/status/get`,
        () => new HttpResponse(`{"access_token": ${token}`, { status: 200 }),
      ),
    );
    const error = await failure(c.call("C27", { deviceSN: "SN-0001" }));
    expect(error).toMatchObject({ code: "C_NOT_JSON", interfaceId: "C27", status: 200 });
    expect(error.message).toContain("C27 /device/status/get");
    expect(shown(error)).not.toContain(token);
  });

  it("an HTTP 500 is C_HTTP_STATUS naming the interface and the status", async () => {
    server.use(http.post(`${BASE}/device/control`, () => HttpResponse.json({ code: 9999 }, { status: 500 })));
    const error = await failure(client().call("C28", CONTROL));
    expect(error).toMatchObject({ code: "C_HTTP_STATUS", interfaceId: "C28", status: 500 });
    expect(error.message).toBe("C28 /device/control: HTTP 500");
  });

  it("an answer that breaks its schema is C_BAD_ANSWER naming the interface and the field", async () => {
    server.use(
      http.post(`${BASE}/device/online/get`, () => HttpResponse.json({ code: 0, desc: "成功", online: 2 })),
    );
    const error = await failure(client().call("C26", { deviceSN: "SN-0001" }));
    expect(error).toMatchObject({ code: "C_BAD_ANSWER", interfaceId: "C26", field: "online" });
    expect(error.message).toContain("C26 /device/online/get");
  });

  it("a C21 answer that breaks its schema is C_BAD_ANSWER on C21, with the token masked", async () => {
    server.use(
      http.post(`${BASE}/token`, () =>
        HttpResponse.json({ code: 0, desc: "成功", access_token: "tok-LEAK-0123456", expiredAt: -1 }),
      ),
    );
    const error = await failure(client().call("C28", CONTROL));
    expect(error).toMatchObject({ code: "C_BAD_ANSWER", interfaceId: "C21", field: "expiredAt" });
    expect(shown(error)).not.toContain("tok-LEAK");
  });

  it("no answer within timeoutMs on the clock is C_TIMEOUT naming the interface; nothing is left pending", async () => {
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.use(
      http.post(`${BASE}/device/online/get`, async () => {
        arrived();
        await held;
        return HttpResponse.json({ code: 0, desc: "成功", online: 1 });
      }),
    );
    const call = failure(client().call("C26", { deviceSN: "SN-0001" }));
    await arrival;
    expect(clock.pending().map((t) => t.name)).toEqual(["c-call:C26"]);
    clock.advance(TIMEOUT_MS);
    const error = await call;
    release();
    expect(error).toMatchObject({ code: "C_TIMEOUT", interfaceId: "C26" });
    expect(error.message).toContain("C26 /device/online/get");
    expect(clock.timerCount()).toBe(0);
  });

  it("C21 refusing the credentials is C_TOKEN_REFUSED, and the key is never shown", async () => {
    const c = new ThirdPartyClient({
      baseUrl: BASE,
      cloudId: CLOUD_ID,
      cloudKey: "wrong-key-secret",
      transport: fetchTransport(),
      clock,
      random: seededRandom(1),
      timeoutMs: TIMEOUT_MS,
    });
    const error = await failure(c.call("C28", CONTROL));
    expect(error).toMatchObject({ code: "C_TOKEN_REFUSED", interfaceId: "C21", resultCode: 1002 });
    expect(shown(error)).not.toContain("wrong-key-secret");
    expect(shown(c)).not.toContain("wrong-key-secret");
  });

  it("a request that breaks its schema is a UsageError naming the field, and nothing is sent", async () => {
    const c = client();
    const bad = c.call("C28", { ...CONTROL, cmds: [] });
    await expect(bad).rejects.toBeInstanceOf(UsageError);
    await expect(bad).rejects.toMatchObject({ field: "cmds" });
    await expect(c.call("C26", { deviceSN: "" })).rejects.toMatchObject({ field: "deviceSN" });
    expect(peer.received).toEqual([]);
  });
});

describe("ThirdPartyClient over mutual TLS (7.1.2, 7.1.4)", () => {
  let dir: string;
  let pki: TestPki;
  let server: Server;
  let url: string;
  const clock = new VirtualClock();
  const peer = new PeerModel(clock);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hilfarm-interop-"));
    pki = await makeTestPki(dir, { otherCa: true });
    const material = await loadTlsMaterial(tlsPaths(pki.server, pki.ca));
    server = createServer(serverOptions(material), (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const id = cInterfaceAt(req.url ?? "");
        res.setHeader("content-type", "application/json");
        if (id === undefined) res.writeHead(404).end("{}");
        else res.end(JSON.stringify(peer.answer(id, Buffer.concat(chunks).toString("utf8"))));
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tlsClient = async (identity: CertifiedKey) =>
    new ThirdPartyClient({
      baseUrl: url,
      cloudId: CLOUD_ID,
      cloudKey: CLOUD_KEY,
      transport: tlsTransport(await loadTlsMaterial(tlsPaths(identity, pki.ca))),
      clock,
      random: seededRandom(2),
      timeoutMs: TIMEOUT_MS,
    });

  it("the production transport gets a token and makes C28; a certificate of another CA is refused at the handshake", async () => {
    const answer = await (await tlsClient(pki.client)).call("C28", CONTROL);
    expect(answer).toMatchObject({ code: 0, result: [{ serialId: "0", name: "switch", value: "1" }] });
    expect(peer.received.map((r) => r.id)).toEqual(["C21", "C28"]);
    expect(peer.received[1]?.body.access_token).toBe(peer.issued[0]);

    const other = pki.otherCa?.client;
    if (other === undefined) throw new Error("makeTestPki made no second CA");
    const error = await failure((await tlsClient(other)).call("C28", CONTROL));
    expect(error).toMatchObject({ code: "C_TRANSPORT", interfaceId: "C21", reason: "TLS_HANDSHAKE" });
    expect(error.cause).toMatchObject({ name: "TlsError", code: "TLS_HANDSHAKE" });
    expect(peer.received).toHaveLength(2);
    expect(clock.timerCount()).toBe(0);
  });
});
