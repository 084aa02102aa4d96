import { connect as tcpConnect } from "node:net";
import type { Clock } from "../../../harness/clock/index.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import { type ClientMaterial, tlsRequest } from "../../../harness/tls/mutual-tls.ts";
import { TlsError } from "../../../harness/tls/tls-error.ts";
import type { CNotifyFrame } from "./live-fuzz-c-requests.ts";
import { splitHostPort, within } from "./live-fuzz-net.ts";
import type { CNotifyFigures, LegitOutcome } from "./live-fuzz-report.ts";

/**
 * The live fuzz's `c-notify` surface: the C11-C18 server (7.3.1) over HTTPS with mutual TLS (7.1.2, 7.1.4). Sends
 * the hostile traffic of live-fuzz-c-requests.ts, and plays the legitimate third party whose token and device the
 * fuzz must not move.
 */

/** How the fuzz reaches a platform's C11-C18 server: its URL, the test PKI's client identity, the C11 credentials. */
export interface CNotifyAccess {
  /** `https://host:port`. */
  https: string;
  client: ClientMaterial;
  platformId: string;
  /** A secret: never logged. */
  platformKey: string;
}

/** The legitimate third party's device, announced with C15 before the fuzz. */
export const KEEP_SN = "FZC-KEEP-0001";
const SEQ = "202601011200000001";
const REQUEST_MS = 5000;

/** One hostile request, raw connection or certificate-less handshake; counts what came back in `figures`. */
export async function sendCNotify(
  access: CNotifyAccess,
  frame: CNotifyFrame,
  figures: CNotifyFigures,
  clock: Clock,
  source: string,
  secret: () => string | undefined,
): Promise<void> {
  if (frame.kind === "raw") return sendRaw(access.https, frame.bytes, figures, clock, source);
  const noCert = frame.kind === "no-cert";
  const abort = new AbortController();
  const timer = clock.setTimeout(() => abort.abort(), REQUEST_MS, "fuzz c-notify request");
  const url = `${access.https}${frame.path}`;
  const init = noCert
    ? { method: "POST", body: "{}", signal: abort.signal }
    : { method: frame.method, headers: frame.headers, body: frame.body, signal: abort.signal };
  const fail = (what: string) => {
    if (figures.failures.length < 20) figures.failures.push(what);
  };
  try {
    const answer = await tlsRequest(url, init, noCert ? { ca: access.client.ca } : access.client);
    if (noCert) return fail(`${frame.path} without a client certificate answered HTTP ${answer.status}`);
    const shown = `${init.method} ${frame.path.slice(0, 60)} (${frame.kind === "https" ? frame.body.length : 0} bytes)`;
    figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
    if (answer.status >= 500) return fail(`${shown}: HTTP ${answer.status}`);
    const token = secret();
    if (token !== undefined && answer.body.includes(token))
      return fail(`${shown}: the answer shows the token`);
    const json = parseJsonSafely(answer.body);
    const code =
      json.ok && typeof json.value === "object" && json.value !== null
        ? (json.value as { code?: unknown }).code
        : undefined;
    if (typeof code === "number") figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
    // 7.3.1.9: an answer is a code in a JSON body; an HTTP refusal (Node's 400 for a malformed request) may have none.
    else if (answer.status === 200) fail(`${shown}: HTTP 200 with a body without a code`);
  } catch (error) {
    if (noCert && error instanceof TlsError && error.code === "TLS_HANDSHAKE") figures.handshakesRefused++;
    else figures.noAnswer++;
  } finally {
    timer.cancel();
  }
}

/** Bytes that are not TLS to the HTTPS port, then our FIN; resolves when the server closes or the deadline passes. */
function sendRaw(https: string, bytes: Buffer, figures: CNotifyFigures, clock: Clock, source: string) {
  const [host, port] = splitHostPort(new URL(https).host);
  return new Promise<void>((resolve) => {
    const socket = tcpConnect({ port, host, localAddress: source });
    let late = false;
    const timer = clock.setTimeout(
      () => {
        late = true;
        figures.raw.timedOut++;
        socket.destroy();
      },
      3000,
      "fuzz c-notify raw",
    );
    socket.on("connect", () => socket.end(bytes));
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      timer.cancel();
      if (!late) figures.raw.closed++;
      resolve();
    });
  });
}

/**
 * The legitimate third party: takes a C11 token, announces its device online (C15); each check it reports a status
 * (C16) with that token, which must be answered code 0, and the platform's API must still show its device.
 */
export class LegitCParty {
  readonly outcome: LegitOutcome = {
    deviceId: KEEP_SN,
    transport: "c-notify",
    keptSession: true,
    lost: [],
    heartbeats: { sent: 0, answered: 0, retransmitted: 0 },
  };
  token: string | undefined;
  private power = 0;

  constructor(
    private readonly access: CNotifyAccess,
    private readonly api: string,
    private readonly clock: Clock,
  ) {}

  private async post(
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ code?: unknown; desc?: unknown }> {
    const headers = { "content-type": "application/json" };
    const sent = tlsRequest(
      `${this.access.https}${path}`,
      { method: "POST", headers, body: JSON.stringify(body) },
      this.access.client,
    );
    const answer = await within(this.clock, sent, REQUEST_MS, `legit ${path}`);
    const json = parseJsonSafely(answer.body);
    return json.ok && typeof json.value === "object" && json.value !== null ? (json.value as object) : {};
  }

  /** C11 (7.3.1.1), then C15 (7.3.1.5): the device online. Throws when either is refused. */
  async start(): Promise<void> {
    const { platformId, platformKey } = this.access;
    const issued = await this.post("/notify/token", { platformId, platformKey, sequenceNo: SEQ });
    if (issued.code !== 0 || typeof (issued as { access_token?: unknown }).access_token !== "string")
      throw new Error(`the legitimate third party's C11 was answered code ${String(issued.code)}`);
    this.token = (issued as { access_token: string }).access_token;
    const online = await this.post("/notify/device/online", {
      access_token: this.token,
      sequenceNo: SEQ,
      deviceSN: KEEP_SN,
      deviceType: "CT-PLUG-01",
      online: "1",
    });
    if (online.code !== 0)
      throw new Error(`the legitimate third party's C15 was answered code ${String(online.code)}`);
  }

  lose(why: string): void {
    this.outcome.keptSession = false;
    if (this.outcome.lost.length < 10) this.outcome.lost.push(why);
  }

  /** A C16 with the token (code 0 expected), then the device as the API shows it (known, online). */
  async heartbeat(): Promise<boolean> {
    this.outcome.heartbeats.sent++;
    this.power ^= 1;
    try {
      const answer = await this.post("/notify/device/status", {
        access_token: this.token,
        sequenceNo: SEQ,
        deviceSN: KEEP_SN,
        deviceType: "CT-PLUG-01",
        status: [{ serialId: "0", name: "POWER", value: String(this.power) }],
      });
      if (answer.code !== 0) {
        this.lose(`C16 answered code ${String(answer.code)}: ${String(answer.desc ?? "").slice(0, 200)}`);
        return false;
      }
      const response = await within(
        this.clock,
        fetch(`${this.api}/api/devices/${KEEP_SN}`),
        REQUEST_MS,
        "API",
      );
      const shown = (await response.json()) as { online?: unknown; via?: unknown };
      if (response.status !== 200 || shown.online !== true || shown.via !== "third-party") {
        this.lose(`GET /api/devices/${KEEP_SN}: ${response.status} online=${shown.online} via=${shown.via}`);
        return false;
      }
      this.outcome.heartbeats.answered++;
      return true;
    } catch (error) {
      this.lose(`C16: ${(error as Error).message}`);
      return false;
    }
  }
}
