import type fc from "fast-check";

/** Credentials a generator may use to get past decryption. */
export interface HostileKeys {
  /** A device the target knows: 1002 bodies sealed with its PIN reach the login server's schema check. */
  deviceId: string;
  pin: string;
  /** A live session's token and key: bodies sealed with them reach the connection server's schema check. */
  token?: string;
  sessionKey?: string;
  /**
   * True for a device the run may disturb: schema-valid bodies with hostile content (prototype names, huge
   * strings, unicode) are sealed with its keys too and reach the business handlers.
   */
  validBodies: boolean;
}

export interface HostileOptions {
  keys?: readonly HostileKeys[];
  /** Valid frame lines captured from the wire (no CRLF), replayed as they are. */
  captured?: readonly Uint8Array[];
  /** The target's frame limit (bytes, CRLF excluded); huge strings go up to it, over-long frames past it. */
  maxFrameLength?: number;
  /** Deepest nesting generated (default 10,000; the crash needs 4,500). */
  maxDepth?: number;
  /** Only these kinds (default: all that the options allow). */
  kinds?: readonly HostileKind[];
}

/** Every kind, in the order `hostileFrames` offers them to `fc.oneof` (the order fixes what a seed generates). */
export const hostileKinds = [
  "deep-envelope",
  "deep-body",
  "huge-number",
  "huge-string",
  "unicode",
  "invalid-utf8",
  "proto-key",
  "wrong-type-envelope",
  "wrong-type-body",
  "invalid-body",
  "hostile-valid-body",
  "truncation",
  "base64-framing",
  "over-long",
  "crlf-split",
  "garbage",
  "replay",
] as const;
export type HostileKind = (typeof hostileKinds)[number];

export interface HostileFrame {
  kind: HostileKind;
  /** The bytes to write: one TCP write or one datagram. Most end in CRLF; some on purpose do not. */
  bytes: Buffer;
}

/** The generators one file contributes, by kind; a kind is absent when the options cannot make it. */
export type KindArbitraries = Partial<Record<HostileKind, fc.Arbitrary<Buffer>>>;
