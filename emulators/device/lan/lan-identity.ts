import type { Random } from "../../../harness/random/random.ts";

/** What a device says of itself in a 6.2.1 discovery answer, beyond its id and model. */
export interface LanIdentity {
  /** 6 bytes, locally administered unicast (first byte: bit 1 set, bit 0 clear). */
  readonly macBytes: Uint8Array;
  /** The same, written `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  /** A non-zero u64; sent only while `onConfig` is 1 (see `discoveryBindKey`). */
  readonly bindKey: bigint;
}

/**
 * A device's LAN identity, drawn from the run's randomness: the same seed and device id give the same identity,
 * whatever else the run drew (a fork of its own, `lan/<deviceId>`).
 */
export function lanIdentity(random: Random, deviceId: string): LanIdentity {
  const stream = random.fork(`lan/${deviceId}`);
  const macBytes = new Uint8Array(stream.bytes(6));
  macBytes[0] = ((macBytes[0] ?? 0) | 0b10) & ~0b01;
  let bindKey = 0n;
  while (bindKey === 0n) bindKey = stream.bytes(8).readBigUInt64BE(0);
  return { macBytes, mac: formatMac(macBytes), bindKey };
}

export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(":");
}

/** 6.2.1: an unconfigured device may be added within 120 s of power-on. */
export const ON_CONFIG_WINDOW_MS = 120_000;

/**
 * 6.2.1 `onConfig`: 1 while the device waits to be added, within 120 s of power-on while unconfigured; else 0.
 * The window is half-open: `powerOnAt + windowMs` itself is past it. Times are milliseconds on one clock.
 */
export function onConfigAt(
  powerOnAt: number,
  now: number,
  configured: boolean,
  windowMs: number = ON_CONFIG_WINDOW_MS,
): 0 | 1 {
  return !configured && now >= powerOnAt && now - powerOnAt < windowMs ? 1 : 0;
}

/** 6.2.1 `bindKey`: valid only when `onConfig` is 1; the fixed-size u64 field carries 0 otherwise. */
export function discoveryBindKey(identity: LanIdentity, onConfig: 0 | 1): bigint {
  return onConfig === 1 ? identity.bindKey : 0n;
}

/** 6.2.1 `lanControl`: 0 while the device is not yet authorised, then 1 supported or 2 not supported. */
export function lanControlOf(control: boolean, authorised: boolean): 0 | 1 | 2 {
  if (!authorised) return 0;
  return control ? 1 : 2;
}
