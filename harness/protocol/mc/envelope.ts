import type { Result } from "../../errors.ts";
import { type CtsEnvelope, type Framing, parseCtsEnvelope } from "../cts/envelope.ts";
import type { CtsWireError } from "../cts/errors.ts";
import { type McCode, mcPacketTable } from "./packet-types.ts";

/** The clear-text part of an Mc frame (5.2.2). */
export type Envelope = CtsEnvelope<McCode>;

/** One Mc frame without its CRLF -> its envelope, or a typed error. Total: never throws. */
export function parseEnvelope(line: Uint8Array, framing?: Framing): Result<Envelope, CtsWireError> {
  return parseCtsEnvelope(line, mcPacketTable, framing);
}
