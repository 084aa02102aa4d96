import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ThirdPartyMisbehaviour } from "../../emulators/third-party/index.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { showValue, UsageError } from "../../harness/errors.ts";
import { cryptoRandom, type Random, seededRandom } from "../../harness/random/random.ts";
import { makeTestPki } from "../../harness/tls/certificates.ts";
import type { ClientMaterial } from "../../harness/tls/mutual-tls.ts";
import type { Capability } from "../target/target.ts";
import type { NotifyHost } from "./c-notify-host.ts";
import { type CTarget, settleOn } from "./c-probe.ts";
import {
  type CTls,
  cBaseUrl,
  clientMaterial,
  EMULATED_TOKEN_LIFETIME_MS,
  foreignClient,
} from "./c-smart-home-target.ts";

/** One command of C28 (7.3.2.8): the line, the command's name and its parameter. */
export interface CControl {
  serialId: string;
  name: string;
  value: string;
}

/**
 * "A third-party platform under test" (7.3.2, C21-C31) as the suite sees it: its base URL, the client identity it
 * trusts, the `cloudId`/`cloudKey` exchanged offline, a device it holds (and a gateway with a sub-device), and the
 * C11-C18 server the suite hosts for its reports.
 */
export interface CThirdPartyTarget extends CTarget {
  readonly cloudId: string;
  readonly cloudKey: string;
  /** A device (not a sub-device) the third party holds, not yet bound. */
  readonly deviceSN: string;
  /** A gateway it holds with at least one sub-device, when the suite may use one. */
  readonly gatewaySN?: string;
  /** A command the device takes (C28); control clauses are not applicable without one. */
  readonly control?: CControl;
  readonly foreignClient: ClientMaterial;
  /** Bound on one answer's time (the reference platform's C21-C31 client waits 10 s). */
  readonly answerMs: number;
  /** Shortest token lifetime the suite accepts: a shorter one needs a C21 before nearly every call. */
  readonly minTokenLifetimeMs: number;
  /** Where the third party reports (C11-C18); the report clauses are not applicable without it. */
  readonly notifyHost?: NotifyHost;
}

export const DEFAULT_ANSWER_MS = 10_000;
export const DEFAULT_MIN_TOKEN_LIFETIME_MS = 60_000;

export interface CThirdPartyTargetOptions {
  url: string;
  tls: CTls;
  cloudId: string;
  cloudKey: string;
  deviceSN: string;
  gatewaySN?: string;
  control?: CControl;
  answerMs?: number;
  minTokenLifetimeMs?: number;
  notifyHost?: NotifyHost;
  clock?: Clock;
  random?: Random;
  description?: string;
  close?: () => Promise<void>;
}

/** `serialId:NAME=VALUE` (`0:SET_POWER=1`) as a C28 command; a UsageError naming `--control` otherwise. */
export function parseControl(text: string): CControl {
  const match = /^(\d+):([^=]+)=(.*)$/.exec(text);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined)
    throw new UsageError(
      "control",
      `--control must be serialId:NAME=VALUE (0:SET_POWER=1), got ${showValue(text)}`,
    );
  return { serialId: match[1], name: match[2], value: match[3] };
}

/** A third-party platform somewhere (real time unless given a VirtualClock). */
export async function thirdPartyTarget(options: CThirdPartyTargetOptions): Promise<CThirdPartyTarget> {
  const url = cBaseUrl(options.url);
  for (const [field, value] of [
    ["cloud-id", options.cloudId],
    ["cloud-key", options.cloudKey],
    ["device", options.deviceSN],
  ] as const)
    if (value === "") throw new UsageError(field, `--${field} must not be empty`);
  const client = await clientMaterial(options.tls);
  const clock = options.clock ?? new RealClock();
  const capabilities = new Set<Capability>(clock instanceof VirtualClock ? ["virtual-time"] : []);
  return {
    description: options.description ?? `third-party platform (C21-C31) at ${url}`,
    capabilities,
    clock,
    url,
    client,
    random: options.random ?? cryptoRandom(),
    cloudId: options.cloudId,
    cloudKey: options.cloudKey,
    deviceSN: options.deviceSN,
    ...(options.gatewaySN === undefined ? {} : { gatewaySN: options.gatewaySN }),
    ...(options.control === undefined ? {} : { control: options.control }),
    foreignClient: await foreignClient(client.ca),
    answerMs: options.answerMs ?? DEFAULT_ANSWER_MS,
    minTokenLifetimeMs: options.minTokenLifetimeMs ?? DEFAULT_MIN_TOKEN_LIFETIME_MS,
    ...(options.notifyHost === undefined ? {} : { notifyHost: options.notifyHost }),
    settle: (promise, maxMs) => settleOn(clock, promise, maxMs),
    close: options.close ?? (async () => undefined),
  };
}

export const EMULATED_CLOUD_ID = "hilfarm-conformance-cloud";
export const EMULATED_CLOUD_KEY = "conformance-cloud-key-exchanged-offline";
/** The emulated third party's fleet: a device, and a gateway with a sub-device. */
export const EMULATED_FLEET = {
  devices: [{ profile: "air-conditioner", count: 1 }],
  gateways: [{ profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 1 }] }],
};
export const EMULATED_DEVICE = "TP-air-conditioner-0001";
export const EMULATED_GATEWAY = "TP-zigbee-gateway-0001";
/** The air conditioner starts with POWER "0": switching it on changes a status. */
export const EMULATED_CONTROL: CControl = { serialId: "0", name: "SET_POWER", value: "1" };
export const HOSTED_PLATFORM_ID = "hilfarm-smart-home";
export const HOSTED_PLATFORM_KEY = "hosted-platform-key-exchanged-offline";

/**
 * hilfarm's emulated third party in this process on a VirtualClock, reporting to a C11-C18 server the suite hosts;
 * both on one test PKI in a directory of their own, removed on close.
 */
export async function emulatedThirdPartyTarget(
  options: { misbehaviour?: Partial<ThirdPartyMisbehaviour>; seed?: number } = {},
): Promise<CThirdPartyTarget> {
  const { startThirdPartyPlatform } = await import("../../emulators/third-party/index.ts");
  const { startNotifyHost } = await import("./c-notify-host.ts");
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-c-third-party-"));
  const pki = await makeTestPki(dir);
  const clock = new VirtualClock({ ioTurns: 200 });
  const seed = options.seed ?? 1;
  const closing: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const step of closing.splice(0).reverse()) await step();
  };
  try {
    const host = await startNotifyHost({
      clock,
      random: seededRandom(seed),
      platformId: HOSTED_PLATFORM_ID,
      platformKey: HOSTED_PLATFORM_KEY,
      tls: { dir },
    });
    closing.push(() => host.close());
    const tp = await startThirdPartyPlatform({
      cloudId: EMULATED_CLOUD_ID,
      cloudKey: EMULATED_CLOUD_KEY,
      tls: { dir },
      clock,
      random: seededRandom(seed + 1),
      ...EMULATED_FLEET,
      tokenLifetimeMs: EMULATED_TOKEN_LIFETIME_MS,
      smartHome: { url: host.url, platformId: host.platformId, platformKey: host.platformKey },
      ...(options.misbehaviour === undefined ? {} : { misbehaviour: options.misbehaviour }),
    });
    closing.push(() => tp.close());
    return await thirdPartyTarget({
      url: tp.url,
      tls: {
        material: {
          ca: pki.ca.cert.pem,
          cert: pki.client.cert.pem,
          key: await readFile(pki.client.key.path, "utf8"),
        },
      },
      cloudId: EMULATED_CLOUD_ID,
      cloudKey: EMULATED_CLOUD_KEY,
      deviceSN: EMULATED_DEVICE,
      gatewaySN: EMULATED_GATEWAY,
      control: EMULATED_CONTROL,
      notifyHost: host,
      clock,
      random: seededRandom(seed + 2),
      description: `hilfarm's emulated third-party platform (C21-C31) at ${tp.url}, virtual time`,
      close,
    });
  } catch (error) {
    await close();
    throw error;
  }
}
