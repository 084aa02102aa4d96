import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../../../harness/clock/real-clock.ts";
import { seededRandom } from "../../../harness/random/random.ts";
import { startPlatformProcessWith } from "../../../harness/testing/child-process.ts";
import { type RegisteredDevice, Registry } from "../registry/index.ts";
import { startTestPlatform } from "./fixtures.ts";
import { type FuzzedChild, watchFuzzedChild } from "./fuzzed-child.ts";
import type { AqaraAccess } from "./live-fuzz-aqara.ts";
import type { CNotifyAccess } from "./live-fuzz-c-notify.ts";
import type { LockApiAccess } from "./live-fuzz-lock-api.ts";

/**
 * Where the live fuzz (live-fuzz.ts) sends its frames: the reference platform in this process (for `npm test`) or
 * `hilfarm platform` as a child process (for `npm run fuzz`, where a crash shows as the process's exit).
 */

/** The devices of the fuzz registry: two that must keep their sessions, and a spare the fuzz may disturb. */
export const FUZZ_DEVICES = {
  tcp: { deviceId: "0000000000000000000fz001", pin: "FzTcpPin0123456789abcdefghijklmn", model: "CT-PLUG-01" },
  udp: { deviceId: "0000000000000000000fz002", pin: "FzUdpPin0123456789abcdefghijklmn", model: "CT-PLUG-01" },
  spare: {
    deviceId: "0000000000000000000fz003",
    pin: "FzSparePin0123456789abcdefghijkl",
    model: "CT-PLUG-01",
  },
} as const satisfies Record<string, RegisteredDevice>;

/** The C11 credentials (7.2 step 1) the fuzz's platform is started with; only the legitimate third party uses them. */
export const FUZZ_INTEROP = {
  platformId: "hilfarm-fuzz-smart-home",
  platformKey: "fuzz-k3y-exchanged-offline",
};

/** The lock API's two clients: the legitimate one and the fuzz's own (secrets of the test run only). */
export const FUZZ_LOCK_API = {
  legit: { clientId: "hilfarmfuzzlegit001", secret: "FzLegitLockSecret0123456789abcde" },
  fuzz: { clientId: "hilfarmfuzzhostile1", secret: "FzHostileLockSecret0123456789abc" },
} as const;

/** The open API's two apps: the legitimate one and the fuzz's own (keys of the test run only). */
export const FUZZ_AQARA = {
  legit: { appId: "hilfarmfuzzlegitapp", keyId: "k1", appKey: "FzLegitAqaraKey0123456789abcdef" },
  fuzz: { appId: "hilfarmfuzzhostileapp", keyId: "k1", appKey: "FzHostileAqaraKey0123456789abcd" },
} as const;

export interface LiveTarget {
  readonly kind: "in-process" | "child";
  readonly addresses: { login: string; tcp: string; udp: string; http: string };
  /** The C11-C18 server (surface `c-notify`), when the platform runs with interop. */
  readonly cNotify?: CNotifyAccess;
  /** The smart-lock open API (surface `lock-api`), when the platform serves it. */
  readonly lockApi?: LockApiAccess;
  /** The Aqara-style open API (surface `aqara`), when the platform serves it. */
  readonly aqara?: AqaraAccess;
  /** Undefined while the platform runs; what happened once it is gone (exit code, uncaught error). */
  crashed(): string | undefined;
  /** Resident memory of the process that runs the platform, in bytes (this process for an in-process target). */
  rssBytes(): number | undefined;
  /** Calls `listener` for every session that ends (in-process only; a child's sessions are seen through /metrics). */
  onSessionEnd?(listener: (deviceId: string, reason: string) => void): void;
  close(): Promise<void>;
}

/** The test PKI's CA, client certificate and key in `dir` (as `makeTestPki` writes them, 7.1.4). */
async function pkiClient(dir: string): Promise<CNotifyAccess["client"]> {
  const [ca, cert, key] = await Promise.all(
    ["ca.pem", "client.pem", "client-key.pem"].map((name) => readFile(join(dir, name), "utf8")),
  );
  return { ca: ca ?? "", cert: cert ?? "", key: key ?? "" };
}

/**
 * The platform in this process on the real clock: free ports, no MQTT, silent logs, and the C11-C18 server on a test
 * PKI made for the run. Uncaught errors count as crashes.
 */
export async function startInProcessTarget(seed: number): Promise<LiveTarget> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-fuzz-pki-"));
  const platform = await startTestPlatform(new RealClock(), {
    registry: Registry.fromDevices(Object.values(FUZZ_DEVICES)),
    random: seededRandom(seed),
    interop: { ...FUZZ_INTEROP, tls: { dir }, port: 0, host: "127.0.0.1" },
    lockApi: { clients: [FUZZ_LOCK_API.legit, FUZZ_LOCK_API.fuzz], port: 0, host: "127.0.0.1" },
    aqara: { apps: [FUZZ_AQARA.legit, FUZZ_AQARA.fuzz], port: 0, host: "127.0.0.1" },
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const https = platform.addresses.surfaces["c-notify"]?.https;
  if (https === undefined) {
    await platform.close();
    await rm(dir, { recursive: true, force: true });
    throw new Error("the platform started without its c-notify surface");
  }
  let crash: string | undefined;
  // A throw in a socket handler of the platform surfaces here; vitest reports it too.
  const onError = (error: unknown) => {
    crash ??= `uncaught ${error instanceof Error ? (error.stack ?? error.message).slice(0, 2000) : String(error)}`;
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  const { login, tcp, udp, http } = platform.addresses;
  return {
    kind: "in-process",
    addresses: { login, tcp, udp, http },
    cNotify: { https, client: await pkiClient(dir), ...FUZZ_INTEROP },
    ...lockApiAccess(platform.addresses.surfaces["lock-api"]?.http),
    ...aqaraAccess(platform.addresses.surfaces.aqara?.api),
    crashed: () => crash,
    rssBytes: () => process.memoryUsage.rss(),
    onSessionEnd: (listener) =>
      platform.events.on("session-end", ({ deviceId, reason }) => listener(deviceId, reason)),
    close: async () => {
      await platform.close();
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `hilfarm platform` as a child process with free ports, a fuzz registry, warnings-only logs and interop (C11-C18). */
export async function startChildTarget(seed: number): Promise<LiveTarget> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-fuzz-"));
  const registry = join(dir, "registry.json");
  await writeFile(registry, JSON.stringify({ devices: Object.values(FUZZ_DEVICES) }));
  const pki = join(dir, "pki");
  const { legit, fuzz } = FUZZ_LOCK_API;
  const lockEnv = {
    HILFARM_LOCK_API_SECRET: legit.secret,
    HILFARM_LOCK_API_CLIENTS: `${fuzz.clientId}:${fuzz.secret}`,
    HILFARM_AQARA_APP_KEY: FUZZ_AQARA.legit.appKey,
    HILFARM_AQARA_APPS: `${FUZZ_AQARA.fuzz.appId}:${FUZZ_AQARA.fuzz.keyId}:${FUZZ_AQARA.fuzz.appKey}`,
  };
  const child = startPlatformProcessWith(
    lockEnv,
    registry,
    "--seed",
    String(seed & 0x7fffffff),
    "--log-level",
    "warn",
    "--interop-platform-id",
    FUZZ_INTEROP.platformId,
    "--interop-platform-key",
    FUZZ_INTEROP.platformKey,
    "--interop-port",
    "0",
    "--tls-dir",
    pki,
    "--lock-api-client-id",
    legit.clientId,
    "--aqara-app-id",
    FUZZ_AQARA.legit.appId,
    "--aqara-key-id",
    FUZZ_AQARA.legit.keyId,
  );
  let watched: FuzzedChild;
  try {
    watched = await watchFuzzedChild(child);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { ready } = watched;
  const https = (ready.surfaces as Record<string, { https?: string }> | undefined)?.["c-notify"]?.https;
  if (https === undefined) {
    child.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw new Error(`no c-notify surface in the ready line ${JSON.stringify(ready)}`);
  }
  return {
    kind: "child",
    addresses: {
      login: String(ready.login),
      tcp: String(ready.tcp),
      udp: String(ready.udp),
      http: String(ready.http),
    },
    cNotify: { https, client: await pkiClient(pki), ...FUZZ_INTEROP },
    ...lockApiAccess((ready.surfaces as Record<string, { http?: string }>)["lock-api"]?.http),
    ...aqaraAccess((ready.surfaces as Record<string, { api?: string }>).aqara?.api),
    crashed: () => watched.crashed(),
    rssBytes: () => watched.rssBytes(),
    close: async () => {
      await watched.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The lock API's access, when its surface is listed; the legitimate client keeps its password on the TCP device. */
function lockApiAccess(http: string | undefined): { lockApi?: LockApiAccess } {
  if (http === undefined) return {};
  return { lockApi: { http, ...FUZZ_LOCK_API, deviceId: FUZZ_DEVICES.tcp.deviceId } };
}

/** The open API's access, when its surface is listed; the legitimate app asks about the TCP device. */
function aqaraAccess(api: string | undefined): { aqara?: AqaraAccess } {
  if (api === undefined) return {};
  return { aqara: { api, ...FUZZ_AQARA, deviceId: FUZZ_DEVICES.tcp.deviceId } };
}
