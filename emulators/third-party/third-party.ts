import { createServer } from "node:https";
import { join } from "node:path";
import { pino } from "pino";
import type { Clock } from "../../harness/clock/index.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import type { Logger } from "../../harness/log/index.ts";
import { hostPort } from "../../harness/net/address.ts";
import { cryptoRandom, type Random } from "../../harness/random/random.ts";
import { serverOptions } from "../../harness/tls/mutual-tls.ts";
import { loadTlsMaterial } from "../../harness/tls/tls-material.ts";
import { C_SERVER_TIMEOUTS } from "../interop/c-http.ts";
import { tlsTransport } from "../interop/transport.ts";
import { notifyTls, PKI_FILES } from "../platform/c-notify/tls.ts";
import { trackConnections } from "../platform/connections.ts";
import { closeListener, isWildcard, listenTcp } from "../platform/net.ts";
import type { InteropTls } from "../platform/platform-options.ts";
import { loadProfiles } from "../profiles/load.ts";
import type { Profile } from "../profiles/schema.ts";
import { makeDevices, type TpDevice, type TpFleetSpec } from "./devices.ts";
import * as machine from "./machine.ts";
import { NO_MISBEHAVIOUR, type ThirdPartyMisbehaviour, withMisbehaviour } from "./misbehaviour.ts";
import type { Notification } from "./notifications.ts";
import { type Delivery, Outbox } from "./outbox.ts";
import { thirdPartyListener } from "./server.ts";
import { SmartHomeClient } from "./smart-home-client.ts";

/** The smart-home platform the third party reports to (C11-C18, 7.3.1). */
export interface SmartHomeTarget {
  /** `https://{domain}` of its C11-C18 server. */
  url: string;
  platformId: string;
  /** A secret: never logged. */
  platformKey: string;
  /**
   * The client identity presented to it. Default: with a test PKI (`tls.dir`) its `client.pem`, `client-key.pem`
   * and `ca.pem`; with files, the server's own certificate, key and CA.
   */
  tls?: { cert: string; key: string; ca: string };
  /** Longest wait for one exchange, on the clock. Default 10 000. */
  timeoutMs?: number;
}

export interface ThirdPartyOptions extends TpFleetSpec {
  /** 7.3.2.1: the pair the smart-home platform's C21 must present (7.2 step 1). `cloudKey` is a secret. */
  cloudId: string;
  cloudKey: string;
  /** The server's identity and the CA its clients must chain to: PEM files, or `{dir}` for a test PKI. */
  tls: InteropTls;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  clock?: Clock;
  /** Draws tokens and sequence digits. Default `cryptoRandom()`. */
  random?: Random;
  logger?: Logger;
  /** Profiles by name. Default: the shipped ones (emulators/profiles). */
  profiles?: ReadonlyMap<string, Profile>;
  smartHome?: SmartHomeTarget;
  /** C21 tokens' lifetime (the spec gives none). Default 2 hours. */
  tokenLifetimeMs?: number;
  misbehaviour?: Partial<ThirdPartyMisbehaviour>;
  /** Tries per report and the pause between them (on the clock). Default 3 and 1000 ms. */
  reportAttempts?: number;
  reportRetryDelayMs?: number;
}

export interface ThirdPartyDeviceView {
  deviceSN: string;
  deviceType: string;
  profile: string;
  kind: Profile["kind"];
  gwId?: string;
  online: boolean;
  bound: boolean;
  status: Record<string, Record<string, string>>;
}

export interface ThirdPartyPlatform {
  /** `https://host:port` of the C21-C31 server. */
  readonly url: string;
  /** The test PKI's directory, when one is used. */
  readonly pki: string | undefined;
  readonly devices: ThirdPartyDeviceView[];
  device(deviceSN: string): ThirdPartyDeviceView;
  setOnline(deviceSN: string, online: boolean): void;
  setStatus(deviceSN: string, serialId: string, name: string, value: string): void;
  emitEvent(deviceSN: string, event: machine.TpEvent): void;
  setMisbehaviour(change: Partial<ThirdPartyMisbehaviour>): void;
  readonly misbehaviour: Readonly<ThirdPartyMisbehaviour>;
  /** Points the reports at a smart-home platform (for one started after the third party). */
  setSmartHome(target: SmartHomeTarget): Promise<void>;
  /** Binds every device as if C22/C24 had come, with their reports (see `machine.bindAll`). */
  bindAll(): void;
  /** What became of each report (C12-C18). */
  readonly deliveries: readonly Delivery[];
  /** Resolves once every queued report is sent or given up. */
  reportsSettled(): Promise<void>;
  close(): Promise<void>;
}

const view = (d: TpDevice): ThirdPartyDeviceView => ({
  deviceSN: d.deviceSN,
  deviceType: d.deviceType,
  profile: d.profileName,
  kind: d.kind,
  ...(d.gwId === undefined ? {} : { gwId: d.gwId }),
  online: d.online,
  bound: d.bound,
  status: structuredClone(d.status) as Record<string, Record<string, string>>,
});

/** The identity presented to the smart-home platform's C11-C18 server; bad files name the option and path. */
function clientMaterial(tls: InteropTls, target: SmartHomeTarget) {
  if (target.tls !== undefined) return loadTlsMaterial(target.tls);
  if (!("dir" in tls)) return loadTlsMaterial(tls);
  const file = (name: string) => join(tls.dir, name);
  return loadTlsMaterial({
    cert: file(PKI_FILES.clientCert),
    key: file(PKI_FILES.clientKey),
    ca: file(PKI_FILES.ca),
  });
}

/**
 * An emulated third-party platform (7.3.2): the C21-C31 server over HTTPS with mutual TLS (7.1.2, 7.1.4), holding
 * its own devices made from hilfarm's profiles, reporting their changes to the smart-home platform (C12-C18) once
 * they are bound (7.2 step 3).
 */
export async function startThirdPartyPlatform(options: ThirdPartyOptions): Promise<ThirdPartyPlatform> {
  if (options.cloudId === "") throw new UsageError("cloud-id", "--cloud-id must not be empty");
  if (options.cloudKey === "") throw new UsageError("cloud-key", "--cloud-key must not be empty");
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError("port", `--port: expected 0-65535, got ${port}`);
  const clock = options.clock ?? new RealClock();
  const random = options.random ?? cryptoRandom();
  const logger = (options.logger ?? pino({ level: "silent" })).child({ side: "third-party" });
  const profiles = options.profiles ?? (await loadProfiles());
  let misbehaviour = withMisbehaviour(NO_MISBEHAVIOUR, options.misbehaviour ?? {});
  let state = machine.initialState(makeDevices(profiles, options), options, options.tokenLifetimeMs);
  const host = options.host ?? "127.0.0.1";
  const tls = await notifyTls(options.tls, host);

  let client: SmartHomeClient | undefined;
  const setSmartHome = async (target: SmartHomeTarget) => {
    const material = await clientMaterial(options.tls, target);
    client = new SmartHomeClient({
      url: target.url,
      platformId: target.platformId,
      platformKey: target.platformKey,
      transport: tlsTransport(material),
      clock,
      random: random.fork("smart-home-client"),
      timeoutMs: target.timeoutMs ?? 10_000,
      logger,
    });
  };
  if (options.smartHome !== undefined) await setSmartHome(options.smartHome);
  const outbox = new Outbox({
    clock,
    logger,
    ...(options.reportAttempts === undefined ? {} : { attempts: options.reportAttempts }),
    ...(options.reportRetryDelayMs === undefined ? {} : { retryDelayMs: options.reportRetryDelayMs }),
    send: (n) => {
      if (client === undefined) return Promise.reject(new Error("no smart-home platform configured"));
      return client.call(n.id, n.fields);
    },
  });
  const report = (notes: readonly Notification[]) => {
    for (const n of notes) {
      if (misbehaviour.dropNotifications) outbox.drop(n);
      else if (client === undefined)
        logger.debug(
          { interface: n.id, deviceSN: n.deviceSN },
          "third party: no smart-home platform to report to",
        );
      else outbox.post(n);
    }
  };
  const step = (s: machine.Step) => {
    state = s.state;
    report(s.notifications);
  };

  const held = new Set<{ cancel(): void }>();
  const tokenSource = random.fork("tokens");
  const server = createServer(
    { ...serverOptions(tls.material), ...C_SERVER_TIMEOUTS },
    thirdPartyListener({
      clock,
      logger,
      held,
      holdMs: () => misbehaviour.slowAnswersMs,
      answer: (id, text) => {
        const answered = machine.answerRequest(state, id, text, {
          now: clock.now(),
          tokenSource,
          misbehaviour,
        });
        step(answered);
        return answered.answer;
      },
    }),
  );
  // A client without a certificate of the CA ends at the handshake: no request reaches the listener.
  server.on("tlsClientError", (error: NodeJS.ErrnoException) =>
    logger.debug({ code: error.code, reason: error.message }, "third party: TLS handshake refused"),
  );
  const endConnections = trackConnections(server);
  const bound = await listenTcp(server, port, host, (error) =>
    logger.warn({ code: error.code, reason: error.message }, "third party: accept failed"),
  );
  const url = `https://${hostPort(isWildcard(host) ? "127.0.0.1" : host, bound)}`;
  logger.info({ url, devices: state.devices.size }, "third party listening");

  return {
    url,
    pki: tls.pki,
    get devices() {
      return [...state.devices.values()].map(view);
    },
    device: (sn) => view(machine.deviceOf(state, sn)),
    setOnline: (sn, online) => step(machine.setOnline(state, sn, online)),
    setStatus: (sn, serialId, name, value) => step(machine.setStatus(state, sn, serialId, name, value)),
    emitEvent: (sn, event) => step(machine.emitEvent(state, sn, event)),
    setMisbehaviour: (change) => {
      misbehaviour = withMisbehaviour(misbehaviour, change);
    },
    get misbehaviour() {
      return { ...misbehaviour };
    },
    setSmartHome,
    bindAll: () => step(machine.bindAll(state)),
    get deliveries() {
      return outbox.history;
    },
    reportsSettled: () => outbox.idle(),
    close: async () => {
      outbox.close();
      for (const t of held) t.cancel();
      held.clear();
      endConnections();
      await closeListener(server);
    },
  };
}
