import fc from "fast-check";
import { type Clock, RealClock } from "../../../harness/clock/index.ts";
import { DEFAULT_MAX_FRAME_LENGTH } from "../../../harness/protocol/cts/envelope.ts";
import {
  type HostileFrame,
  type HostileKind,
  hostileFrames,
} from "../../../harness/protocol/mc/testing/hostile/index.ts";
import { LegitAqaraApp } from "./live-fuzz-aqara.ts";
import { type AqaraFrame, hostileAqaraRequests } from "./live-fuzz-aqara-requests.ts";
import { KEEP_SN, LegitCParty } from "./live-fuzz-c-notify.ts";
import { type CNotifyFrame, hostileCNotify } from "./live-fuzz-c-requests.ts";
import { checkPlatform, LegitDevice } from "./live-fuzz-checks.ts";
import { LegitLockClient } from "./live-fuzz-lock-api.ts";
import { hostileLockRequests, type LockFrame } from "./live-fuzz-lock-requests.ts";
import { within } from "./live-fuzz-net.ts";
import {
  emptyReport,
  type FuzzSurface,
  type LiveFuzzReport,
  mb,
  parseMetrics,
  remember,
  type Suspect,
} from "./live-fuzz-report.ts";
import { type HostileRequest, hostileRequests } from "./live-fuzz-requests.ts";
import { MAX_DATAGRAM, rotation, Surfaces } from "./live-fuzz-surfaces.ts";
import { FUZZ_DEVICES, type LiveTarget } from "./live-fuzz-targets.ts";

/**
 * The live fuzz: hostile frames from harness/protocol/mc/testing/hostile/ sent over real
 * sockets to every surface of a running platform (the login port, the TCP and UDP connection ports, a live
 * session's own connection, the HTTP API, the C11-C18 server over mutual TLS, the smart-lock open API, the
 * Aqara-style open API), while two legitimate devices (one on TCP, one on UDP) keep heartbeating, a legitimate third
 * party keeps reporting its device (C16) with its token, a legitimate lock-API client keeps reading its temporary
 * password with its token and a legitimate open-API app keeps asking about a device with its UI-SDK token.
 * Throughout and at the end it checks that the platform is alive and answers its API, that the legitimate devices
 * kept their sessions, and how its memory grew. Used by emulators/platform/fuzz-live.test.ts and bench/fuzz.ts.
 *
 * This file drives the run; live-fuzz-surfaces.ts sends, live-fuzz-checks.ts checks, live-fuzz-report.ts counts.
 */

export type { FuzzSurface, LegitOutcome, LiveFuzzReport } from "./live-fuzz-report.ts";
export { fuzzSurfaces, parseMetrics } from "./live-fuzz-report.ts";

export interface LiveFuzzOptions {
  target: LiveTarget;
  /** Hostile frames (and HTTP requests) to send in all. */
  frames: number;
  seed: number;
  /** Stop sending after this long, whatever the count. */
  deadlineMs: number;
  /** A check (heartbeats of the legitimate devices, the API, memory) after every this many frames. */
  checkEvery?: number;
  /** TCP connections in flight at once. */
  concurrency?: number;
  maxFrameLength?: number;
  /** Deepest nesting generated. */
  maxDepth?: number;
  /** Only these kinds of hostile frames (default: every kind). */
  kinds?: readonly HostileKind[];
  /** Called after each check with the frames sent so far. */
  progress?: (sent: number, report: LiveFuzzReport) => void;
  /** Every deadline of the run (answers, connections, requests); the real clock by default. */
  clock?: Clock;
}

/** Sends `frames` hostile frames to every surface of `target` and reports what held. Never throws on the platform's behalf. */
export async function runLiveFuzz(options: LiveFuzzOptions): Promise<LiveFuzzReport> {
  const { target, seed } = options;
  const maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  const maxDepth = options.maxDepth ?? 10_000;
  const checkEvery = options.checkEvery ?? 1000;
  const concurrency = options.concurrency ?? 32;
  const clock = options.clock ?? new RealClock();
  const started = performance.now();
  const report = emptyReport(target.kind, seed);
  const tcpDevice = new LegitDevice(FUZZ_DEVICES.tcp, "tcp", clock);
  const udpDevice = new LegitDevice(FUZZ_DEVICES.udp, "udp", clock);
  const legit = [tcpDevice, udpDevice];
  const cParty =
    target.cNotify === undefined ? undefined : new LegitCParty(target.cNotify, target.addresses.http, clock);
  const lockClient = target.lockApi === undefined ? undefined : new LegitLockClient(target.lockApi, clock);
  const aqaraApp = target.aqara === undefined ? undefined : new LegitAqaraApp(target.aqara, clock);
  const checked = [
    ...legit,
    ...(cParty === undefined ? [] : [cParty]),
    ...(lockClient === undefined ? [] : [lockClient]),
    ...(aqaraApp === undefined ? [] : [aqaraApp]),
  ];
  report.legit = checked.map((d) => d.outcome);
  // Set once the run is over: the devices' own goodbyes are not losses.
  let stopping = false;
  target.onSessionEnd?.((deviceId, reason) => {
    if (stopping) return;
    for (const d of legit) if (d.outcome.deviceId === deviceId) d.lose(`session ended: ${reason}`);
  });
  const surfaces = await Surfaces.open(target, report, clock);
  const { spare } = surfaces;
  const recent: Suspect[] = [];

  const check = async (): Promise<boolean> => {
    if (target.crashed() !== undefined) return false;
    await checkPlatform(target, checked, report, clock);
    options.progress?.(report.sent, report);
    return target.crashed() === undefined;
  };

  try {
    await tcpDevice.start(target.addresses.login);
    await udpDevice.start(target.addresses.login);
    await cParty?.start();
    await lockClient?.start();
    await aqaraApp?.start();
    const secret = () => cParty?.token;
    const lockSecret = () => lockClient?.token;
    const aqaraSecret = () => aqaraApp?.token;
    await spare.send(Buffer.alloc(0));
    report.rss.startMb = mb(target.rssBytes());

    const batch = 64;
    const cArbitrary = hostileCNotify(KEEP_SN, maxDepth);
    const lockArbitrary = hostileLockRequests(
      Object.values(FUZZ_DEVICES).map((d) => d.deviceId),
      maxDepth,
    );
    const aqaraArbitrary = hostileAqaraRequests(maxDepth);
    let index = 0;
    const deadline = started + options.deadlineMs;
    while (report.sent < options.frames && performance.now() < deadline && target.crashed() === undefined) {
      // Fresh keys and captured frames each batch: the spare device's session changes when it is dropped.
      const captured = [...tcpDevice.captured, ...udpDevice.captured, ...spare.captured];
      const keys = [tcpDevice.keys, udpDevice.keys, spare.keys];
      const frames = fc.sample(
        hostileFrames({
          keys,
          captured,
          maxFrameLength,
          maxDepth,
          ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
        }),
        { seed: seed + index, numRuns: batch },
      );
      const requests = fc.sample(hostileRequests(FUZZ_DEVICES.spare.deviceId, maxDepth), {
        seed: seed + index,
        numRuns: batch,
      });
      // The C11-C18 server, the lock API and the open API each take 1 frame of the rotation: a handful a batch.
      const cFrames = fc.sample(cArbitrary, {
        seed: seed + index,
        numRuns: Math.ceil(batch / rotation.length) + 1,
      });
      const lockFrames = fc.sample(lockArbitrary, {
        seed: seed + index,
        numRuns: Math.ceil(batch / rotation.length) + 1,
      });
      const aqaraFrames = fc.sample(aqaraArbitrary, {
        seed: seed + index,
        numRuns: Math.ceil(batch / rotation.length) + 1,
      });
      let cNext = 0;
      let lockNext = 0;
      let aqaraNext = 0;
      for (let i = 0; i < frames.length && report.sent < options.frames; i++) {
        if (target.crashed() !== undefined) break;
        const surface = rotation[(index + i) % rotation.length] as FuzzSurface;
        const frame = frames[i] as HostileFrame;
        const request = requests[i] as HostileRequest;
        const kind =
          surface === "http" || surface === "c-notify" || surface === "lock-api" || surface === "aqara"
            ? surface
            : frame.kind;
        const cFrame = surface === "c-notify" ? cFrames[cNext++] : undefined;
        const lockFrame = surface === "lock-api" ? lockFrames[lockNext++] : undefined;
        const aqaraFrame = surface === "aqara" ? aqaraFrames[aqaraNext++] : undefined;
        if (
          (surface === "udp" && frame.bytes.length > MAX_DATAGRAM) ||
          (surface === "c-notify" && (cFrame === undefined || target.cNotify === undefined)) ||
          (surface === "lock-api" && (lockFrame === undefined || target.lockApi === undefined)) ||
          (surface === "aqara" && (aqaraFrame === undefined || target.aqara === undefined))
        ) {
          report.skipped++;
          continue;
        }
        report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
        const shown =
          aqaraFrame === undefined
            ? shownFrame(surface, frame.bytes, request, cFrame, lockFrame)
            : shownHttp(aqaraFrame);
        remember(recent, surface, kind, shown);
        if (cFrame !== undefined) surfaces.sendCNotify(cFrame, secret);
        else if (lockFrame !== undefined) surfaces.sendLockApi(lockFrame, lockSecret);
        else if (aqaraFrame !== undefined) surfaces.sendAqara(aqaraFrame, aqaraSecret);
        else await surfaces.send(surface, frame.bytes, request);
        report.bySurface[surface]++;
        report.sent++;
        await surfaces.throttle(concurrency);
        if (report.sent % checkEvery === 0 && !(await check())) break;
      }
      index += batch;
    }
    await surfaces.drain();
    await check();
  } catch (error) {
    if (target.crashed() === undefined) throw error;
  } finally {
    stopping = true;
    report.spareSessions = spare.sessions;
    surfaces.close();
    for (const d of legit) {
      d.closing = true;
      d.device.close();
    }
    const crash = target.crashed();
    if (crash !== undefined) {
      report.crashes.push({ detail: crash, suspects: recent.slice(-8) });
      for (const d of checked) if (d.outcome.keptSession) d.lose("the platform stopped");
    } else {
      try {
        const response = await within(clock, fetch(`${target.addresses.http}/metrics`), 5000, "metrics");
        report.metrics = parseMetrics(await response.text());
      } catch (error) {
        report.api.failures.push(`GET /metrics: ${(error as Error).message}`);
      }
    }
    report.wallMs = Math.round(performance.now() - started);
    report.framesPerSecond = Math.round((report.sent * 1000) / Math.max(1, report.wallMs));
  }
  return report;
}

/** A suspect's view of a request to an open API: its signing, request line and the start of its body. */
function shownHttp(frame: LockFrame | AqaraFrame): Buffer {
  return Buffer.concat([
    Buffer.from(`${frame.signing} ${frame.method} ${frame.target} `),
    frame.body.subarray(0, 60),
  ]);
}

/** What a suspect shows of a frame: the bytes, or the request line of an HTTP or HTTPS request. */
function shownFrame(
  surface: FuzzSurface,
  bytes: Buffer,
  request: HostileRequest,
  cFrame: CNotifyFrame | undefined,
  lockFrame: LockFrame | undefined,
): Buffer {
  if (surface === "http") return Buffer.from(`${request.method} ${request.path}`);
  if (lockFrame !== undefined) return shownHttp(lockFrame);
  if (cFrame === undefined) return bytes;
  if (cFrame.kind === "raw") return Buffer.concat([Buffer.from("raw "), cFrame.bytes]);
  if (cFrame.kind === "no-cert") return Buffer.from(`no client certificate: POST ${cFrame.path}`);
  return Buffer.concat([Buffer.from(`${cFrame.method} ${cFrame.path} `), cFrame.body.subarray(0, 60)]);
}
