import { AQARA_INTENTS, type AqaraIntentName } from "../../emulators/platform/aqara/intents.ts";
import { AQARA_API_PATH } from "../../emulators/platform/aqara/server.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import type { Capability } from "../target/target.ts";
import { settleOn } from "./c-probe.ts";
import { httpUrl, type OptionNames, optionName } from "./target-url.ts";

/**
 * "An open API under test" (000_0e61b4fd1fe27231.txt, the Aqara-style open API) as the suites see it: the endpoint
 * requests are POSTed to, the app that signs them (`Appid`, `Keyid` and the app key), and the intents it serves.
 * hilfarm's own (`emulatedAqaraApiTarget`, virtual time) or anyone's at a URL (`aqaraApiTarget`, real time).
 */
export interface AqaraApiTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  /** The endpoint: `http(s)://host:port/v3.0/open/api`. */
  readonly url: string;
  readonly appId: string;
  readonly keyId: string;
  /** The app key requests are signed with. A secret: never shown (not in `description`, nor in a clause's detail). */
  readonly appKey: string;
  /** The intents it serves, by hilfarm's names (docs/protocol-readings.md: the seed leaves them blank). */
  readonly intents: Readonly<Record<AqaraIntentName, string>>;
  /** Bound on one answer (target time). */
  readonly answerMs: number;
  /** Waits for `promise` on the target's time; rejects if it has not settled within `maxMs` of that time. */
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  close(): Promise<void>;
}

export const DEFAULT_AQARA_ANSWER_MS = 10_000;

/** The app hilfarm's emulated open API knows. */
export const EMULATED_AQARA_APP = {
  appId: "hilfarm-conformance-app",
  keyId: "k1",
  appKey: "c0nf0rmanceAqaraAppKey0123456789",
} as const;

export interface AqaraApiTargetOptions {
  /** The endpoint; a URL without a path gets `/v3.0/open/api`. */
  url: string;
  appId: string;
  keyId: string;
  appKey: string;
  answerMs?: number;
  /** Intent names over hilfarm's (AQARA_INTENTS). */
  intents?: Partial<Record<AqaraIntentName, string>>;
  clock?: Clock;
  description?: string;
  capabilities?: readonly Capability[];
  close?: () => Promise<void>;
  /** What the command calls the options (`url`, `app-id`, `key-id`, `app-key`, `answer-ms`), for usage errors. */
  optionNames?: OptionNames;
}

/** `http(s)://...`, the open API's path added to a bare origin; a UsageError naming the URL option otherwise. */
export function aqaraApiUrl(text: string, names: OptionNames = {}): string {
  const url = httpUrl(text, `http(s)://host:port${AQARA_API_PATH}`, names);
  return url.pathname === "/" && url.search === "" ? `${url.origin}${AQARA_API_PATH}` : url.href;
}

/** An open API somewhere (real time unless given a VirtualClock). */
export function aqaraApiTarget(options: AqaraApiTargetOptions): AqaraApiTarget {
  const names = options.optionNames;
  const url = aqaraApiUrl(options.url, names);
  for (const [flag, value] of [
    ["app-id", options.appId],
    ["key-id", options.keyId],
    ["app-key", options.appKey],
  ] as const)
    if (value === "") throw new UsageError(flag, `${optionName(flag, names)} must not be empty`);
  const answerMs = options.answerMs ?? DEFAULT_AQARA_ANSWER_MS;
  if (!Number.isSafeInteger(answerMs) || answerMs <= 0)
    throw new UsageError(
      "answer-ms",
      `${optionName("answer-ms", names)}: expected milliseconds > 0, got ${answerMs}`,
    );
  const clock = options.clock ?? new RealClock();
  return {
    description: options.description ?? `open API at ${url}, app ${options.appId}, real time`,
    capabilities: new Set<Capability>([
      ...(clock instanceof VirtualClock ? (["virtual-time"] as const) : []),
      ...(options.capabilities ?? []),
    ]),
    clock,
    url,
    appId: options.appId,
    keyId: options.keyId,
    appKey: options.appKey,
    intents: { ...AQARA_INTENTS, ...options.intents },
    answerMs,
    settle: (promise, maxMs) => settleOn(clock, promise, maxMs),
    close: options.close ?? (async () => undefined),
  };
}

/** Registered devices, so that `query.device.info` has something to list. */
const DEVICES = [
  { deviceId: "0000aqara000000000000gw1", pin: "AQGWPIN0123456789abcdefghijklmno", model: "CT-GW-01" },
  { deviceId: "0000aqara00000000000plg1", pin: "AQPLUGPIN0123456789abcdefghijklm", model: "CT-PLUG-01" },
];

/**
 * hilfarm's reference platform with the aqara surface only (no MQTT, no devices connected) on 127.0.0.1, free ports,
 * a VirtualClock, knowing EMULATED_AQARA_APP.
 */
export async function emulatedAqaraApiTarget(options: { seed?: number } = {}): Promise<AqaraApiTarget> {
  const { pino } = await import("pino");
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const { seededRandom } = await import("../../harness/random/random.ts");
  // Virtual time over real sockets: loopback I/O gets more turns per step than the default.
  const clock = new VirtualClock({ ioTurns: 200 });
  const platform = await startPlatform({
    registry: Registry.fromDevices(DEVICES),
    clock,
    random: seededRandom(options.seed ?? 1),
    logger: pino({ level: "silent" }),
    host: "127.0.0.1",
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "none",
    aqara: { apps: [{ ...EMULATED_AQARA_APP }] },
  });
  const url = platform.addresses.surfaces.aqara?.api ?? "";
  return aqaraApiTarget({
    ...EMULATED_AQARA_APP,
    url,
    clock,
    capabilities: ["platform-internals"],
    description: `hilfarm's emulated open API at ${url}, virtual time`,
    close: () => platform.close(),
  });
}
