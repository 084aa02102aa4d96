import { EventEmitter } from "node:events";
import type { AddressInfo, Server } from "node:net";
import { isIPv6 } from "node:net";
import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { HilfarmError, UsageError } from "../../harness/errors.ts";
import type { PlatformEvents as PlatformEventsOf } from "../../harness/evidence/platform-events.ts";
import { createLogger } from "../../harness/log/logger.ts";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../harness/mqtt/embedded-broker.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { DEFAULT_MAX_FRAME_LENGTH, type Framing } from "../../harness/protocol/cts/envelope.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { parseSequence } from "../../harness/protocol/mc/sequence.ts";
import { newToken, type Random, randomSeed, seededRandom } from "../../harness/random/random.ts";
import { ConnectionAdmission } from "./admission.ts";
import { createBusinessHandler } from "./business.ts";
import { ConnectionServer } from "./connection-server.ts";
import { trackConnections } from "./connections.ts";
import { createMqttFanout, type Fanout, nullFanout } from "./fanout/index.ts";
import { FirmwareStore } from "./firmware.ts";
import { HandlerGuard, RateLimitedWarning } from "./guard.ts";
import { createHttpApi } from "./http-api.ts";
import { defaultLimits, type PlatformLimits } from "./limits.ts";
import { createLoginServer } from "./login-server.ts";
import { LoginTable } from "./logins.ts";
import { PlatformMetrics } from "./metrics.ts";
import { PlatformOperations } from "./operations.ts";
import { defaultTiming, type PlatformTiming } from "./options.ts";
import type { Registry } from "./registry/index.ts";
import { DeviceSession, type SessionEndReason } from "./session.ts";
import { StateStore } from "./state-store.ts";
import { StateReportWaiters } from "./state-waiters.ts";
import { type Recognizer, type Synthesizer, textRecognizer, textSynthesizer } from "./voice.ts";

/** Documented default ports; each accepts 0 (a free port). */
export const DEFAULT_PORTS = { login: 8700, tcp: 8701, udp: 8702, http: 8780 } as const;

export interface PlatformOptions {
  registry: Registry;
  clock?: Clock;
  /** Seeds the platform's sequences (and tokens and session keys, unless `secretRandom` is given). */
  random?: Random;
  /** Source of tokens and session keys; `cryptoRandom()` for unpredictable ones. Default: `random`. */
  secretRandom?: Random;
  logger?: Logger;
  /** Interface the device ports listen on. Default 127.0.0.1; 0.0.0.0 for a lab network. */
  host?: string;
  /**
   * Interface the HTTP API (and `/metrics`, `/firmware`) listens on, independent of `host`. Default 127.0.0.1.
   * Beyond loopback it needs `apiToken`: the API controls devices and takes firmware.
   */
  httpHost?: string;
  /** Bearer token `/api/*` and `/metrics` require (`Authorization: Bearer <token>`); `/firmware/*` stays open. */
  apiToken?: string;
  /** Host written into `tcpHost`/`udpHost` of the login response. Default: `host`, or 127.0.0.1 for 0.0.0.0. */
  advertisedHost?: string;
  loginPort?: number;
  /** Connection server i listens on tcpPort + i and udpPort + i (0 stays 0). */
  tcpPort?: number;
  udpPort?: number;
  httpPort?: number;
  connectionServers?: number;
  timing?: Partial<PlatformTiming>;
  framing?: Framing;
  maxFrameLength?: number;
  /** MQTT fan-out: the embedded broker (default), an external broker URL, or none. */
  mqtt?: { url: string } | "embedded" | "none";
  recognizer?: Recognizer;
  /** Conformance hook: answers to withhold on purpose (see DeviceSession). */
  withholdAnswer?: (deviceId: string, code: number) => boolean;
  synthesizer?: Synthesizer;
  firmwareDir?: string;
  /** Caps on what the wire may hold (connections, bodies, firmware); each defaults to `defaultLimits()`. */
  limits?: Partial<PlatformLimits>;
}

export interface PlatformAddresses {
  login: string;
  tcp: string;
  udp: string;
  http: string;
  mqtt: string | null;
  /** Every connection server, when there are several. */
  connectionServers: Array<{ tcp: string; udp: string }>;
}

export type PlatformEvents = PlatformEventsOf<SessionEndReason>;

/** The reference platform, started: its addresses, its state, and the operations an app backend uses. */
export interface Platform {
  readonly addresses: PlatformAddresses;
  readonly store: StateStore;
  readonly metrics: PlatformMetrics;
  readonly operations: PlatformOperations;
  readonly firmware: FirmwareStore;
  readonly events: EventEmitter<PlatformEvents>;
  readonly seed: number | undefined;
  sessionOf(deviceId: string): DeviceSession | undefined;
  close(): Promise<void>;
}

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::";

/** 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and localhost: only this machine reaches them. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h)
  );
}

const hostPort = (host: string, port: number) => (isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Listens. An error while listening rejects; a later one (an accept that failed: no descriptor left) goes to
 * `onError`, since an 'error' event with no listener would end the process.
 */
function listenTcp(
  server: Server,
  port: number,
  host: string,
  onError: (error: NodeJS.ErrnoException) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) =>
      reject(new HilfarmError("LISTEN", `cannot listen on tcp ${hostPort(host, port)}: ${error.message}`));
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      server.on("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const clock = options.clock ?? new RealClock();
  const random = options.random ?? seededRandom(randomSeed());
  const secretRandom = options.secretRandom ?? random;
  const logger = options.logger ?? createLogger({ name: "platform" });
  const timing: PlatformTiming = { ...defaultTiming, ...options.timing };
  const host = options.host ?? "127.0.0.1";
  const advertised = options.advertisedHost ?? (host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host);
  const framing = options.framing ?? "cts-json";
  const maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  const { registry } = options;

  const store = new StateStore();
  for (const device of registry.all()) store.register(device.deviceId, device.model, device.parentId);
  const metrics = new PlatformMetrics();
  const limits: PlatformLimits = { ...defaultLimits(), ...options.limits };
  const httpHost = options.httpHost ?? "127.0.0.1";
  if (options.apiToken === undefined && !isLoopback(httpHost)) {
    throw new UsageError(
      "api-token",
      `the HTTP API would listen on ${httpHost} (--http-host), beyond loopback, without a token: give --api-token ` +
        "(or HILFARM_API_TOKEN), or keep --http-host on 127.0.0.1",
    );
  }
  if (options.apiToken === "") throw new UsageError("api-token", "--api-token must not be empty");
  const firmware = new FirmwareStore(limits);
  if (options.firmwareDir !== undefined) await firmware.loadDirectory(options.firmwareDir);
  const events = new EventEmitter<PlatformEvents>();
  const warnings = new RateLimitedWarning(logger, clock);
  const guard = new HandlerGuard(metrics, warnings);
  const admission = new ConnectionAdmission(limits, metrics, warnings);
  // A login not followed by its connect within this long is forgotten (the device logs in again).
  const logins = new LoginTable(() => clock.now(), 6 * timing.responseTimeoutMs);
  const sessions = new Map<string, DeviceSession>();
  const waiters = new StateReportWaiters(clock);
  const closers: Array<() => Promise<void>> = [];

  let broker: EmbeddedBroker | undefined;
  let fanout: Fanout = nullFanout;
  let mqttUrl: string | null = null;
  try {
    const mqtt = options.mqtt ?? "embedded";
    if (mqtt === "embedded") {
      broker = await startEmbeddedBroker({ host: advertised === "127.0.0.1" ? "127.0.0.1" : host });
      mqttUrl = broker.url;
    } else if (mqtt !== "none") mqttUrl = mqtt.url;
    if (mqttUrl !== null)
      fanout = await createMqttFanout({ url: mqttUrl, clientId: `hilfarm-platform-${process.pid}`, logger });
  } catch (error) {
    await broker?.close();
    throw error;
  }

  const updateOnlineGauge = () => metrics.online.set(store.onlineCount());
  const setOnline = (deviceId: string, online: boolean, transport?: "tcp" | "udp") => {
    const now = clock.now();
    if (store.setOnline(deviceId, online, now, transport)) {
      fanout.publish(deviceId, "online", { online, at: now });
      updateOnlineGauge();
    }
  };

  const handler = createBusinessHandler({
    clock,
    timing,
    registry,
    store,
    fanout: {
      publish: (deviceId, kind, payload) => {
        fanout.publish(deviceId, kind, payload);
        if (kind === "online") updateOnlineGauge();
      },
      close: () => fanout.close(),
    },
    logger,
    recognizer: options.recognizer ?? textRecognizer,
    synthesizer: options.synthesizer ?? textSynthesizer,
    onStateReport: (deviceId) => waiters.reported(deviceId),
  });

  const endSession = (session: DeviceSession, reason: SessionEndReason, server: ConnectionServer) => {
    server.sessions.delete(session);
    metrics.sessionsEnded.inc({ reason });
    events.emit("session-end", { deviceId: session.deviceId, reason });
    logger.info({ deviceId: session.deviceId, reason }, "session ended");
    // A token stops working with its session; a session replaced with the same token keeps it (its replacement
    // made the device's other tokens stop working).
    if (reason !== "replaced") logins.sessionEnded(session.token);
    if (sessions.get(session.deviceId) !== session) return;
    sessions.delete(session.deviceId);
    setOnline(session.deviceId, false);
    // Sub-devices are reachable only through their gateway.
    for (const sub of store.subDevicesOf(session.deviceId)) setOnline(sub.deviceId, false);
  };

  const servers: ConnectionServer[] = [];
  const serverCount = Math.max(1, options.connectionServers ?? 1);
  for (let i = 0; i < serverCount; i++) {
    servers.push(
      new ConnectionServer(
        {
          logins,
          logger,
          metrics,
          clock,
          admission,
          guard,
          liveSession: (deviceId) => sessions.get(deviceId),
          connectTimeoutMs: 3 * timing.responseTimeoutMs,
          framing,
          maxFrameLength,
          onConnect: (login, connect, channel, server, raw) => {
            logins.connected(login.token, parseSequence(connect.sequence));
            sessions.get(login.deviceId)?.end("replaced");
            const session = new DeviceSession({
              deviceId: login.deviceId,
              token: login.token,
              key: login.key,
              channel,
              clock,
              timing,
              random: random.fork(`session/${login.deviceId}/${clock.now()}`),
              handler,
              logger,
              onEnd: (s, reason) => endSession(s, reason, server),
              onFrame: (direction, s, message, raw) => {
                if (direction === "in") store.touch(s.deviceId, clock.now());
                events.emit("frame", {
                  direction,
                  deviceId: s.deviceId,
                  message,
                  at: clock.now(),
                  ...(raw === undefined ? {} : { raw }),
                });
              },
              onResend: () => metrics.resends.inc(),
              onDropped: (_s, reason) => metrics.framesDropped.inc({ reason }),
              ...(options.withholdAnswer === undefined ? {} : { withholdAnswer: options.withholdAnswer }),
            });
            sessions.set(login.deviceId, session);
            server.sessions.add(session);
            store.closeResourceReport(login.deviceId);
            for (const sub of store.subDevicesOf(login.deviceId)) store.closeResourceReport(sub.deviceId);
            session.start(connect, raw);
            setOnline(login.deviceId, true, channel.transport);
            events.emit("session", {
              deviceId: login.deviceId,
              transport: channel.transport,
              remote: channel.remote,
            });
            logger.info(
              { deviceId: login.deviceId, transport: channel.transport, remote: channel.remote },
              "device connected",
            );
            return session;
          },
        },
        isIPv6(host) ? "udp6" : "udp4",
      ),
    );
  }

  const loginServer = createLoginServer({
    registry,
    logger,
    metrics,
    clock,
    admission,
    guard,
    loginTimeoutMs: 3 * timing.responseTimeoutMs,
    onRefused: (refusal) => events.emit("login-refused", { ...refusal, at: clock.now() }),
    framing,
    maxFrameLength,
    onLogin: ({ message }, pinKey, remote, raw) => {
      const { deviceId } = message.body;
      const skew = Math.abs(message.body.time * 1000 - clock.now());
      if (skew > timing.clockSkewWarnMs)
        logger.warn({ deviceId, skewSeconds: Math.round(skew / 1000) }, "device clock is off");
      // The live session, if any, stays until a 1004 with the new token proves the device holds the PIN: a captured
      // 1002 replayed gets its answer, which only the PIN opens, and moves nothing. The same 1002 again (same
      // sequence and time) is answered with the same token, so replaying it cannot crowd out the device's own login.
      const { token, sessionKey } = logins.issue(
        deviceId,
        `${message.body.sequence}/${message.body.time}`,
        () => {
          const sessionKey = newToken(secretRandom);
          return {
            deviceId,
            token: newToken(secretRandom),
            sessionKey,
            key: CipherKey.fromSessionKey(sessionKey),
            issuedAt: clock.now(),
          };
        },
      );
      // The least loaded connection server (docs/protocol-readings.md, "The reference platform" > Connection
      // servers).
      const server = servers.reduce((a, b) => (b.load < a.load ? b : a));
      const index = servers.indexOf(server);
      events.emit("login", { deviceId, remote });
      logger.info({ deviceId, remote, server: index }, "device logged in");
      const answer = {
        code: 1003,
        body: {
          result: 0,
          sequence: message.body.sequence,
          sessionKey,
          tcpHost: addresses.connectionServers[index]?.tcp ?? "",
          udpHost: addresses.connectionServers[index]?.udp ?? "",
          token,
          time: unixSeconds(clock),
        },
      } as McMessage;
      const frame = encodeFrame(answer, { key: pinKey, framing });
      events.emit("login-frame", { direction: "in", deviceId, message, at: clock.now(), raw });
      events.emit("login-frame", {
        direction: "out",
        deviceId,
        message: answer,
        at: clock.now(),
        raw: frame,
      });
      return frame;
    },
  });

  const operations = new PlatformOperations({
    timing,
    store,
    firmware,
    sessionOf: (deviceId) => sessions.get(deviceId),
    httpBase: () => addresses.http,
    reportsSoFar: (deviceId) => waiters.count(deviceId),
    waitForStateReport: (deviceId, ms) => waiters.wait(deviceId, ms),
    maxFrameLength,
    markUnbound: (deviceId) => {
      store.setUnbound(deviceId, true);
      fanout.publish(deviceId, "online", { online: false, unbound: true, at: clock.now() });
      updateOnlineGauge();
    },
  });

  const httpServer = createHttpApi({
    operations,
    store,
    metrics,
    firmware,
    logger,
    limits,
    ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
  });
  const addresses: PlatformAddresses = {
    login: "",
    tcp: "",
    udp: "",
    http: "",
    mqtt: mqttUrl,
    connectionServers: [],
  };

  const endConnections = [loginServer, ...servers.map((s) => s.tcp), httpServer].map(trackConnections);

  try {
    for (const [i, server] of servers.entries()) {
      const tcpBase = options.tcpPort ?? DEFAULT_PORTS.tcp;
      const udpBase = options.udpPort ?? DEFAULT_PORTS.udp;
      const tcpPort = await listenTcp(
        server.tcp,
        tcpBase === 0 ? 0 : tcpBase + i,
        host,
        admission.acceptFailed(`tcp/${i}`),
      );
      closers.push(() => new Promise((resolve) => server.tcp.close(() => resolve())));
      const udpPort = await new Promise<number>((resolve, reject) => {
        const wanted = udpBase === 0 ? 0 : udpBase + i;
        server.udp.once("error", (error) =>
          reject(
            new HilfarmError("LISTEN", `cannot listen on udp ${hostPort(host, wanted)}: ${error.message}`),
          ),
        );
        server.udp.bind(wanted, host, () => resolve(server.udp.address().port));
      });
      closers.push(() => new Promise((resolve) => server.udp.close(() => resolve())));
      addresses.connectionServers.push({
        tcp: hostPort(advertised, tcpPort),
        udp: hostPort(advertised, udpPort),
      });
    }
    const httpPort = await listenTcp(
      httpServer,
      options.httpPort ?? DEFAULT_PORTS.http,
      httpHost,
      admission.acceptFailed("http"),
    );
    closers.push(() => new Promise((resolve) => httpServer.close(() => resolve())));
    // Last: a login answers with the connection servers' addresses, so they must be known first.
    const loginPort = await listenTcp(
      loginServer,
      options.loginPort ?? DEFAULT_PORTS.login,
      host,
      admission.acceptFailed("login"),
    );
    closers.push(() => new Promise((resolve) => loginServer.close(() => resolve())));
    addresses.login = hostPort(advertised, loginPort);
    addresses.tcp = addresses.connectionServers[0]?.tcp ?? "";
    addresses.udp = addresses.connectionServers[0]?.udp ?? "";
    // Also the base of firmware URLs in 2025: on every interface, devices reach it at the advertised address.
    addresses.http = `http://${hostPort(isWildcard(httpHost) ? advertised : httpHost, httpPort)}`;
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    await fanout.close();
    await broker?.close();
    await firmware.close();
    throw error;
  }
  logger.info(
    {
      ...addresses,
      seed: random.seed,
      devices: registry.size,
      apiAuth: options.apiToken === undefined ? "none" : "bearer",
    },
    options.apiToken === undefined
      ? "platform ready; the HTTP API needs no token (loopback only)"
      : "platform ready; the HTTP API needs Authorization: Bearer <token>",
  );

  let closed: Promise<void> | undefined;
  return {
    addresses,
    store,
    metrics,
    operations,
    firmware,
    events,
    seed: random.seed,
    sessionOf: (deviceId) => sessions.get(deviceId),
    close: () => {
      closed ??= (async () => {
        for (const session of [...sessions.values()]) session.end("stopped");
        waiters.cancelAll();
        for (const end of endConnections) end();
        await Promise.allSettled(closers.map((close) => close()));
        await fanout.close();
        await broker?.close();
        await firmware.close();
      })();
      return closed;
    },
  };
}
