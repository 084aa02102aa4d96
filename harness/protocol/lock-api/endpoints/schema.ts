import type { z } from "zod";

/** The shape of a lock-API catalogue entry, the lock types entries name, and `entry` that builds one. */

export type LockApiMethod = "GET" | "POST" | "PUT" | "DELETE";

export type LockApiVersion = "v1.0" | "v1.1" | "v2.0";

/** The lock types the "Applicable lock types" sections name ("All-in-one X" is X). */
export const lockTypeLabels = {
  wifi: "Wi-Fi lock",
  zigbee: "Zigbee lock",
  bluetooth: "Bluetooth lock",
  "bluetooth-gateway": "Bluetooth lock with gateway",
  "zigbee-hotel": "Zigbee lock for hotel use",
  "keepalive-wifi": "Keepalive Wi-Fi lock",
  "wifi-video": "Wi-Fi lock with video talk",
  "wifi-access-control": "Wi-Fi access control device",
} as const;

export type LockType = keyof typeof lockTypeLabels;

/** Short names for the lock types in the entries' `lockTypes`. */
export const W: LockType = "wifi";
export const Z: LockType = "zigbee";
export const B: LockType = "bluetooth";
export const BG: LockType = "bluetooth-gateway";
export const ZH: LockType = "zigbee-hotel";
export const K: LockType = "keepalive-wifi";
export const V: LockType = "wifi-video";
export const A: LockType = "wifi-access-control";

export interface LockEndpoint {
  /** camelCase, in the seed's terms; `V11` is v1.1, `V2` is v2.0. */
  id: string;
  method: LockApiMethod;
  /** The path template exactly as the seed's list prints it. */
  path: string;
  version: LockApiVersion;
  /** The list's one-line description. */
  description: string;
  /** The line of the seed's API list (31-93). */
  listLine: number;
  /** The line of the seed where the endpoint is documented (its "API endpoint"). */
  seedLine: number;
  /** The list marks it with `*`: "only apply to legacy versions" (line 95). */
  legacy: boolean;
  lockTypes: readonly LockType[];
  request: { path: z.ZodType; query: z.ZodType; body: z.ZodType };
  /** The `result` of the success envelope. */
  response: z.ZodType;
  /** What the seed says beside the tables that a server must apply (lock-type rules, contradictions). */
  notes?: readonly string[];
}

type Spec = Omit<LockEndpoint, "version" | "legacy"> & { legacy?: boolean };

const versionOf = (path: string) => path.slice(1, path.indexOf("/", 1)) as LockApiVersion;

/** One entry; its `version` is read from the path. The input's schema types are kept. */
export const entry = <const S extends Spec>(spec: S) => ({
  ...spec,
  version: versionOf(spec.path),
  legacy: !!spec.legacy,
});
