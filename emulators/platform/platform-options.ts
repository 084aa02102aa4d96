import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import type { Framing } from "../../harness/protocol/cts/envelope.ts";
import type { LockType } from "../../harness/protocol/lock-api/endpoints.ts";
import type { Random } from "../../harness/random/random.ts";
import type { RouteSet } from "./api/http-api.ts";
import type { PlatformLimits } from "./limits.ts";
import type { PlatformTiming } from "./options.ts";
import type { Registry } from "./registry/index.ts";
import type { Recognizer, Synthesizer } from "./voice.ts";

/** Documented default ports; each accepts 0 (a free port). */
export const DEFAULT_PORTS = { login: 8700, tcp: 8701, udp: 8702, http: 8780 } as const;

/** Where the C11-C18 server's TLS identity comes from: PEM files, or a directory holding (or to hold) a test PKI. */
export type InteropTls = { cert: string; key: string; ca: string } | { dir: string };

/**
 * The smart-home platform's side of chapter 7 (C11-C18 over HTTPS with mutual TLS): the credentials the third-party
 * platform's C11 must present (7.2 step 1, exchanged offline), the TLS identity, and where it listens.
 */
export interface InteropOptions {
  platformId: string;
  /** A secret: never logged. */
  platformKey: string;
  tls: InteropTls;
  /** 0 = a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Lifetime of a C11 token (the spec gives none). Default `DEFAULT_TOKEN_LIFETIME_MS` (2 hours). */
  tokenLifetimeMs?: number;
  /** The third-party platform the northbound API's binds and controls go to (C21-C31, surface `c-interop`). */
  thirdParty?: ThirdPartyOptions;
}

/**
 * 7.3.2: the third-party platform's C21-C31 server. The platform is its client with the certificate of `tls` (with
 * a test PKI, its `client.pem`), trusting the same CA.
 */
export interface ThirdPartyOptions {
  /** `https://{domain}` (7.1.2). */
  url: string;
  /** 7.3.2.1: the id and key the third party exchanged offline (7.2 step 1). */
  cloudId: string;
  /** A secret: never logged. */
  cloudKey: string;
  /** Longest wait for one exchange. Default 10 000 ms. */
  timeoutMs?: number;
}

/** A caller of the lock open API: its `client_id` and the secret it signs with (32 characters). */
export interface LockApiClient {
  clientId: string;
  /** A secret: never logged. */
  secret: string;
}

/** The smart-lock open API: its callers, where it listens, and its time rules. */
export interface LockApiOptions {
  clients: readonly LockApiClient[];
  /** 0 = a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted distance of a request's `t` from the platform's clock. Default 5 minutes. */
  toleranceMs?: number;
  /** Access token lifetime. Default 2 hours. */
  tokenLifetimeMs?: number;
  /** Password ticket lifetime. Default 360 s. */
  ticketLifetimeMs?: number;
  /**
   * Lock types by model, over hilfarm's own (`DEFAULT_LOCK_TYPES`): each endpoint applies to the lock types the seed
   * names, others answer 2004.
   */
  lockTypes?: Readonly<Record<string, LockType>>;
}

/** A caller of the Aqara-style open API: its app id, a key id, and the app key it signs with under that key id. */
export interface AqaraApp {
  appId: string;
  keyId: string;
  /** A secret: never logged. */
  appKey: string;
  /** The `appKey` the UI-SDK initialization answers (not the signing key). Default: drawn at start. */
  sdkAppKey?: string;
}

/** The Aqara-style open API (surface `aqara`): its callers, where it listens, its time rules and readings. */
export interface AqaraOptions {
  apps: readonly AqaraApp[];
  /** 0 = a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Lifetime of a UI-SDK token, seconds (`expiresIn`). Default 7200. */
  expiresInS?: number;
  /** Accepted distance of a request's `Time` from the platform's clock. Default 5 minutes. */
  toleranceMs?: number;
  /** Intent names over hilfarm's (`sdkInit`, `tokenExpired`, `deviceInfo`). */
  intents?: Partial<Record<"sdkInit" | "tokenExpired" | "deviceInfo", string>>;
  /** The UI-SDK's initialization parameters hilfarm cannot know. */
  sdk?: { positionId?: string; baseH5Url?: string; baseImageUrl?: string };
}

/**
 * A receiver of the platform's message pushes (`000_0e61b4fd1fe27231.txt`, "Message Push"): every device change is
 * POSTed to `url`, signed when both `appKey` and `appSecret` are given.
 */
export interface PushReceiverOptions {
  url: string;
  /** The header `appkey`; with `appSecret`, signing is on. */
  appKey?: string;
  /** A secret: never logged. */
  appSecret?: string;
  /** The app's client ids: the body's `token`, joined by commas. At least one. */
  clientIds: readonly string[];
  /** No complete answer within this long is abnormal. Default 10 000 ms. */
  timeoutMs?: number;
  /** `consecutive`: abnormal answers in a row that stop the pushes. Default 5. */
  abnormalLimit?: number;
  /** `consecutive` (default) or the vendor's cloud-wide rule, `cloud` (push/push-receiver-state.ts). */
  policy?: "consecutive" | "cloud";
  /** How strictly the answer is judged (harness/protocol/aqara/push-answer.ts). Default `code`. */
  answerFormat?: "code" | "exact";
  /** Messages waiting at most per receiver; the oldest is dropped. Default 1000. */
  queueLimit?: number;
}

/** The message push sender (surface `push`). */
export interface PushOptions {
  receivers: readonly PushReceiverOptions[];
}

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
  /** `liveTime` of the Md lanKeys `POST /api/devices/:id/lan-key` gives, in seconds (6.2.2). Default 300. */
  lanKeyLiveTimeS?: number;
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
  /** The C11-C18 server (surface `c-notify`): present only with this section. */
  interop?: InteropOptions;
  /** The smart-lock open API (surface `lock-api`): present only with this section. */
  lockApi?: LockApiOptions;
  /** The Aqara-style open API (surface `aqara`): present only with this section. */
  aqara?: AqaraOptions;
  /** The message push sender (surface `push`): present only with this section. */
  push?: PushOptions;
  /** More routes for the HTTP API from whoever composes the platform (`hilfarm up`: the fleet's keypads). */
  routes?: readonly RouteSet[];
}
