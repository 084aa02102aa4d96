import {
  decodeSearchRequest,
  encodeSearchResponse,
  type FlagOrder,
} from "../../../harness/protocol/md/discovery.ts";
import type { MdStructError } from "../../../harness/protocol/md/errors.ts";
import { mdResultCodes } from "../../../harness/protocol/md/result-codes.ts";

/** What a device says of itself in a discovery answer, as it stands at the instant of the search. */
export interface DiscoverySelf {
  deviceId: string;
  model: string;
  mac: string;
  lanControl: 0 | 1 | 2;
  onConfig: 0 | 1;
  /** 0 unless `onConfig` is 1. */
  bindKey: bigint;
}

export interface DiscoveryAnswerOptions {
  flagOrder?: FlagOrder;
  /** The `lanWrongLength` switch: `deviceIdLength` off by one. */
  wrongLength?: boolean;
}

export type DiscoveryDecision =
  | { kind: "answer"; bytes: Buffer }
  /** A search for another model: no answer at all (6.2.1). */
  | { kind: "silent" }
  /** Not a `data_search`: dropped without an answer. */
  | { kind: "malformed"; error: MdStructError };

/** Offset of `deviceIdLength` in a `data_response`: after the u16 `code`. */
const DEVICE_ID_LENGTH_AT = 2;

/**
 * The device's side of 6.2.1, without a socket: a datagram in, the bytes to answer with (or none). A search for this
 * model, or for every model (an empty `model`), is answered; one for another model is not.
 */
export function answerSearch(
  datagram: Uint8Array,
  self: DiscoverySelf,
  options: DiscoveryAnswerOptions = {},
): DiscoveryDecision {
  const search = decodeSearchRequest(datagram);
  if (!search.ok) return { kind: "malformed", error: search.error };
  // 6.2.1: a search without a model finds every device; one for another model gets no answer.
  if (search.value.model !== "" && search.value.model !== self.model) return { kind: "silent" };
  const bytes = encodeSearchResponse(
    {
      code: mdResultCodes.ok,
      deviceId: self.deviceId,
      mac: self.mac,
      model: self.model,
      // 6.2.1: 0 is JSON, the only format defined.
      protocol: 0,
      lanControl: self.lanControl,
      onConfig: self.onConfig,
      bindKey: self.onConfig === 1 ? self.bindKey : 0n,
    },
    options.flagOrder,
  );
  if (options.wrongLength === true) {
    const length = bytes[DEVICE_ID_LENGTH_AT] ?? 0;
    bytes[DEVICE_ID_LENGTH_AT] = length === 255 ? 254 : length + 1;
  }
  return { kind: "answer", bytes };
}
