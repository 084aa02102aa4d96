import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { showValue, UsageError } from "../../harness/errors.ts";
import { cryptoRandom, type Random, seededRandom } from "../../harness/random/random.ts";
import { type CertifiedKey, makeTestPki } from "../../harness/tls/certificates.ts";
import type { ClientMaterial } from "../../harness/tls/mutual-tls.ts";
import { loadTlsMaterial, type TlsPaths } from "../../harness/tls/tls-material.ts";
import type { Capability } from "../target/target.ts";
import { type CTarget, settleOn } from "./c-probe.ts";

/**
 * "A smart-home platform under test" (7.3.1, C11-C18) as the suite sees it: its base URL, the client identity it
 * trusts, the `platformId`/`platformKey` exchanged offline (7.2 step 1), and identities it must refuse.
 */
export interface CSmartHomeTarget extends CTarget {
  readonly platformId: string;
  readonly platformKey: string;
  /** The `deviceType` the suite's devices report (7.3: the product model id). */
  readonly deviceType: string;
  /** A client certificate of a CA the platform does not trust (with the platform's CA to check its server). */
  readonly foreignClient: ClientMaterial;
  /** A client certificate of the trusted CA that has expired, when the suite has one. */
  readonly expiredClient?: ClientMaterial;
  /**
   * A test hook that makes a device known to the platform before the suite reports on it (a platform that knows only
   * devices an app bound). Without it, C15/C16 announce a device, as hilfarm's readings say.
   */
  announce?(device: { deviceSN: string; deviceType: string; gwId?: string }): Promise<void>;
}

export interface CSmartHomeTargetOptions {
  url: string;
  /** `--tls-cert`, `--tls-key`, `--tls-ca` (paths), or the PEM itself: the suite's identity and the server's CA. */
  tls: CTls;
  platformId: string;
  platformKey: string;
  deviceType?: string;
  clock?: Clock;
  random?: Random;
  expiredClient?: ClientMaterial;
  announce?: CSmartHomeTarget["announce"];
  description?: string;
  close?: () => Promise<void>;
}

export const DEFAULT_DEVICE_TYPE = "HILFARM-C-CONFORMANCE";

/** Checks `https://host:port`; throws a UsageError naming `--url`. */
export function cBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError("url", `--url must be https://host:port (7.1.2), got ${showValue(url)}`);
  }
  if (parsed.protocol !== "https:")
    throw new UsageError("url", `--url must be https://host:port (7.1.2), got ${showValue(url)}`);
  return url.replace(/\/+$/, "");
}

/** The suite's client identity: PEM files (checked, errors naming the option and the file), or PEM in memory. */
export type CTls = { paths: TlsPaths } | { material: ClientMaterial };

export async function clientMaterial(tls: CTls): Promise<ClientMaterial> {
  if ("material" in tls) return tls.material;
  const material = await loadTlsMaterial(tls.paths);
  return { ca: material.ca, cert: material.cert, key: material.key };
}

/** A client identity from an unrelated CA made for the run, that still checks the server against `ca`. */
export async function foreignClient(ca: string): Promise<ClientMaterial> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-c-foreign-"));
  try {
    const pki = await makeTestPki(dir, {
      caName: "hilfarm foreign CA",
      clientName: "hilfarm foreign client",
    });
    return { ca, ...(await pemOf(pki.client)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pemOf(identity: CertifiedKey): Promise<{ cert: string; key: string }> {
  return { cert: identity.cert.pem, key: await readFile(identity.key.path, "utf8") };
}

/** A smart-home platform somewhere (real time unless given a VirtualClock). */
export async function smartHomeTarget(options: CSmartHomeTargetOptions): Promise<CSmartHomeTarget> {
  const url = cBaseUrl(options.url);
  for (const [field, value] of [
    ["platform-id", options.platformId],
    ["platform-key", options.platformKey],
  ] as const)
    if (value === "") throw new UsageError(field, `--${field} must not be empty`);
  const client = await clientMaterial(options.tls);
  const clock = options.clock ?? new RealClock();
  const capabilities = new Set<Capability>(clock instanceof VirtualClock ? ["virtual-time"] : []);
  return {
    description: options.description ?? `smart-home platform (C11-C18) at ${url}`,
    capabilities,
    clock,
    url,
    client,
    random: options.random ?? cryptoRandom(),
    platformId: options.platformId,
    platformKey: options.platformKey,
    deviceType: options.deviceType ?? DEFAULT_DEVICE_TYPE,
    foreignClient: await foreignClient(client.ca),
    ...(options.expiredClient === undefined ? {} : { expiredClient: options.expiredClient }),
    ...(options.announce === undefined ? {} : { announce: options.announce }),
    settle: (promise, maxMs) => settleOn(clock, promise, maxMs),
    close: options.close ?? (async () => undefined),
  };
}

/** The credentials hilfarm's own smart-home side is started with. */
export const EMULATED_PLATFORM_ID = "hilfarm-smart-home";
export const EMULATED_PLATFORM_KEY = "conformance-key-exchanged-offline";

/** The emulated sides' token lifetime (the spec gives none): short, so that waiting one out costs little time. */
export const EMULATED_TOKEN_LIFETIME_MS = 10 * 60_000;

/**
 * hilfarm's reference platform with its C11-C18 surface (`c-notify`) in this process, on a VirtualClock, its test
 * PKI (with an expired client certificate) in a directory of its own, removed on close.
 */
export async function emulatedSmartHomeTarget(options: { seed?: number } = {}): Promise<CSmartHomeTarget> {
  const { pino } = await import("pino");
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-c-smart-home-"));
  const pki = await makeTestPki(dir, { expiredClient: true });
  const clock = new VirtualClock({ ioTurns: 200 });
  const seed = options.seed ?? 1;
  const platform = await startPlatform({
    registry: Registry.fromDevices([]),
    clock,
    random: seededRandom(seed),
    logger: pino({ level: "silent" }),
    host: "127.0.0.1",
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "none",
    interop: {
      platformId: EMULATED_PLATFORM_ID,
      platformKey: EMULATED_PLATFORM_KEY,
      tls: { dir },
      port: 0,
      host: "127.0.0.1",
      tokenLifetimeMs: EMULATED_TOKEN_LIFETIME_MS,
    },
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const url = platform.addresses.surfaces["c-notify"]?.https ?? "";
  const ca = pki.ca.cert.pem;
  const expired = pki.expiredClient;
  return smartHomeTarget({
    url,
    tls: { material: { ca, ...(await pemOf(pki.client)) } },
    platformId: EMULATED_PLATFORM_ID,
    platformKey: EMULATED_PLATFORM_KEY,
    clock,
    random: seededRandom(seed + 1),
    ...(expired === undefined ? {} : { expiredClient: { ca, ...(await pemOf(expired)) } }),
    description: `hilfarm's smart-home platform (C11-C18) at ${url}, virtual time`,
    close: async () => {
      await platform.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
