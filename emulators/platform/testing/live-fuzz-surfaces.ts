import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { type Socket, connect as tcpConnect } from "node:net";
import type { Clock } from "../../../harness/clock/index.ts";
import { FuzzAqaraApp, sendAqara } from "./live-fuzz-aqara.ts";
import type { AqaraFrame } from "./live-fuzz-aqara-requests.ts";
import { sendCNotify } from "./live-fuzz-c-notify.ts";
import type { CNotifyFrame } from "./live-fuzz-c-requests.ts";
import { FuzzLockClient, sendLockApi } from "./live-fuzz-lock-api.ts";
import type { LockFrame } from "./live-fuzz-lock-requests.ts";
import { loopbackSource, splitHostPort } from "./live-fuzz-net.ts";
import { type FuzzSurface, fuzzSurfaces, type LiveFuzzReport } from "./live-fuzz-report.ts";
import type { HostileRequest } from "./live-fuzz-requests.ts";
import { SpareSession } from "./live-fuzz-spare.ts";
import type { LiveTarget } from "./live-fuzz-targets.ts";

/** How the live fuzz sends to each surface of the platform: a TCP connection a frame, datagrams, HTTP requests. */

/**
 * Out of 23 frames: 5 to the login port, 5 to the TCP port, 6 as datagrams, 3 in a session, 1 HTTP request, 1 to the
 * C11-C18 server (an HTTPS request, raw bytes or a handshake without a certificate), 1 to the lock API, 1 to the
 * Aqara-style open API.
 */
export const rotation: readonly FuzzSurface[] =
  "udp login tcp session udp login tcp udp login tcp session http udp login tcp c-notify udp login tcp session udp lock-api aqara"
    .split(" ")
    .map(surfaceNamed);

function surfaceNamed(name: string): FuzzSurface {
  const surface = fuzzSurfaces.find((s) => s === name);
  if (surface === undefined) throw new Error(`no fuzz surface ${name}`);
  return surface;
}

/** The largest UDP payload over IPv4; a longer hostile frame cannot be a datagram. */
export const MAX_DATAGRAM = 65_507;

/**
 * The senders of one run. Hostile traffic comes from another loopback address where there is one, so it is
 * another source to the platform. TCP connections and HTTP requests run concurrently (`throttle` bounds them);
 * datagrams and session writes are awaited in order.
 */
export class Surfaces {
  private readonly inFlight = new Set<Promise<void>>();
  private lockClient: FuzzLockClient | undefined;
  private aqaraApp: FuzzAqaraApp | undefined;

  private constructor(
    private readonly target: LiveTarget,
    private readonly report: LiveFuzzReport,
    private readonly clock: Clock,
    private readonly source: string,
    private readonly udpSocket: UdpSocket,
    readonly spare: SpareSession,
  ) {}

  static async open(target: LiveTarget, report: LiveFuzzReport, clock: Clock): Promise<Surfaces> {
    const spare = new SpareSession(target.addresses.login, clock);
    const source = await loopbackSource();
    const udpSocket = createSocket("udp4");
    await new Promise<void>((resolve) => udpSocket.bind(0, source, () => resolve()));
    udpSocket.on("message", () => {
      report.answered.udp = (report.answered.udp ?? 0) + 1;
    });
    return new Surfaces(target, report, clock, source, udpSocket, spare);
  }

  /** Sends `bytes` (or, to the HTTP surface, `request`); resolves once the next may go, not once answered. */
  async send(surface: FuzzSurface, bytes: Buffer, request: HostileRequest): Promise<void> {
    const { login, tcp, udp, http } = this.target.addresses;
    if (surface === "http") {
      this.track(sendHttp(http, request, this.report, this.clock));
    } else if (surface === "udp") {
      const [host, port] = splitHostPort(udp);
      await new Promise<void>((resolve) => this.udpSocket.send(bytes, port, host, () => resolve()));
    } else if (surface === "session") {
      await this.spare.send(bytes).catch(() => {
        this.report.connectErrors++;
      });
    } else {
      const address = surface === "login" ? login : tcp;
      this.track(sendTcp(address, this.source, bytes, surface, this.report, this.clock));
    }
  }

  /** Sends one frame of the `c-notify` surface; `secret` is the legitimate third party's token, no answer may show it. */
  sendCNotify(frame: CNotifyFrame, secret: () => string | undefined): void {
    const access = this.target.cNotify;
    if (access === undefined) throw new Error("the target has no c-notify surface");
    this.track(sendCNotify(access, frame, this.report.cNotify, this.clock, this.source, secret));
  }

  /** Sends one request of the `lock-api` surface; `secret` is the legitimate client's token, no answer may show it. */
  sendLockApi(frame: LockFrame, secret: () => string | undefined): void {
    const access = this.target.lockApi;
    if (access === undefined) throw new Error("the target has no lock-api surface");
    this.lockClient ??= new FuzzLockClient(access, this.clock);
    this.track(sendLockApi(access, this.lockClient, frame, this.report.lockApi, this.clock, secret));
  }

  /** Sends one request of the `aqara` surface; `secret` is the legitimate app's token, no answer may show it. */
  sendAqara(frame: AqaraFrame, secret: () => string | undefined): void {
    const access = this.target.aqara;
    if (access === undefined) throw new Error("the target has no aqara surface");
    this.aqaraApp ??= new FuzzAqaraApp(access, this.clock);
    this.track(sendAqara(access, this.aqaraApp, frame, this.report.aqara, this.clock, secret));
  }

  /** Waits until fewer than `concurrency` connections and requests are in flight. */
  async throttle(concurrency: number): Promise<void> {
    while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
  }

  /** Waits for every connection and request in flight. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  close(): void {
    this.spare.close();
    this.udpSocket.close();
  }

  private track(job: Promise<void>): void {
    const settled: Promise<void> = job.catch(() => undefined).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }
}

/** One TCP connection: the frame, then our FIN; resolves when the platform closes it or the deadline passes. */
function sendTcp(
  address: string,
  source: string,
  bytes: Buffer,
  surface: FuzzSurface,
  report: LiveFuzzReport,
  clock: Clock,
): Promise<void> {
  const [host, port] = splitHostPort(address);
  return new Promise<void>((resolve) => {
    const socket: Socket = tcpConnect({ port, host, localAddress: source });
    let answered = false;
    const timer = clock.setTimeout(
      () => {
        report.timedOut++;
        socket.destroy();
      },
      3000,
      "fuzz connection",
    );
    socket.on("connect", () => {
      socket.end(bytes);
    });
    socket.on("data", () => {
      if (!answered) report.answered[surface] = (report.answered[surface] ?? 0) + 1;
      answered = true;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" || error.code === "EADDRNOTAVAIL") report.connectErrors++;
    });
    socket.on("close", () => {
      timer.cancel();
      resolve();
    });
  });
}

/** One HTTP request, aborted after 2.5 s; counts the answer's status, and a 500 as a server error. */
async function sendHttp(
  base: string,
  request: HostileRequest,
  report: LiveFuzzReport,
  clock: Clock,
): Promise<void> {
  const hasBody = request.body !== undefined && request.method !== "GET" && request.method !== "HEAD";
  const abort = new AbortController();
  const timer = clock.setTimeout(
    () => abort.abort(new DOMException("no answer within 2500 ms", "TimeoutError")),
    2500,
    "fuzz http request",
  );
  try {
    const response = await fetch(`${base}${request.path}`, {
      method: request.method,
      ...(hasBody
        ? {
            body: new Uint8Array(request.body ?? []),
            headers: { "content-type": request.contentType ?? "application/json" },
          }
        : {}),
      signal: abort.signal,
    });
    await response.arrayBuffer().catch(() => undefined);
    const status = String(response.status);
    report.api.byStatus[status] = (report.api.byStatus[status] ?? 0) + 1;
    if (response.status === 500 && report.api.serverErrors.length < 20) {
      const body = request.body?.subarray(0, 60).toString("latin1") ?? "";
      report.api.serverErrors.push(
        `${request.method} ${request.path.slice(0, 80)} (${request.body?.length ?? 0} bytes: ${JSON.stringify(body)})`,
      );
    }
  } catch {
    report.api.noAnswer++;
  } finally {
    timer.cancel();
  }
}
