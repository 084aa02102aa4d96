import { z } from "zod";

/**
 * The LAN messages of 6.2.2-6.2.5, told apart by `cmd`. Loose objects, as Mc bodies: a field the spec does not name
 * is kept, so a round trip never loses what a device or an app sent.
 */

/** Attribute number (a decimal string) -> value (6.2.3 `as`). */
export const Attributes = z.record(
  z.string().regex(/^[1-9]\d{0,4}$/, "expected an attribute number"),
  z.union([z.number(), z.string()]),
);
/** Attribute number -> constraint: 0 no read or write, 1 read-only (6.2.3 `asc`). */
export const AttributeConstraints = z.record(
  z.string().regex(/^[1-9]\d{0,4}$/, "expected an attribute number"),
  z.union([z.literal(0), z.literal(1)]),
);
/** Fault codes (6.2.3 `fids`). */
export const FaultIds = z.array(z.number().int());
/** [target (0 module, 1 device), stage 1..8, percent] (6.2.3 `ota`). */
export const OtaState = z.tuple([
  z.union([z.literal(0), z.literal(1)]),
  z.number().int().min(1).max(8),
  z.number().int().min(0).max(100),
]);
const Mid = z.string().min(1).max(64);
const DeviceId = z.string().min(1).max(255);

export const AuthRequest = z.looseObject({
  cmd: z.literal("auth"),
  to: DeviceId,
  /** 16 ASCII digits. */
  rand: z.string().regex(/^\d{16}$/, "expected 16 digits"),
  /** 32 hex characters: the first AES block of `rand` under the device PIN. */
  lanKey: z.string().regex(/^[0-9a-fA-F]{32}$/, "expected 32 hex characters"),
  /** Seconds, as a decimal string ("300"). */
  liveTime: z.string().regex(/^\d{1,9}$/, "expected seconds as a decimal string"),
});

export const LanResponse = z.looseObject({
  cmd: z.literal("resp"),
  code: z.number().int().nonnegative(),
  mid: Mid.optional(),
  as: Attributes.optional(),
  asc: AttributeConstraints.optional(),
  fids: FaultIds.optional(),
  ota: OtaState.optional(),
});

export const QueryRequest = z.looseObject({ cmd: z.literal("query"), to: DeviceId, mid: Mid });

export const OptRequest = z.looseObject({ cmd: z.literal("opt"), mid: Mid, to: DeviceId, as: Attributes });

/** The answer to an `opt` (same `mid`), or a spontaneous report of a change (no `mid`). */
export const PostMessage = z.looseObject({
  cmd: z.literal("post"),
  mid: Mid.optional(),
  from: DeviceId,
  as: Attributes,
  fids: FaultIds.optional(),
  ota: OtaState.optional(),
});

export const LanMessageSchema = z.discriminatedUnion("cmd", [
  AuthRequest,
  LanResponse,
  QueryRequest,
  OptRequest,
  PostMessage,
]);

export type AuthRequest = z.infer<typeof AuthRequest>;
export type LanResponse = z.infer<typeof LanResponse>;
export type QueryRequest = z.infer<typeof QueryRequest>;
export type OptRequest = z.infer<typeof OptRequest>;
export type PostMessage = z.infer<typeof PostMessage>;
export type LanMessage = z.infer<typeof LanMessageSchema>;
export type LanCommand = LanMessage["cmd"];
export const lanCommands: readonly LanCommand[] = ["auth", "resp", "query", "opt", "post"];
