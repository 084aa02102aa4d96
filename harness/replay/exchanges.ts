import { packetType } from "../protocol/mc/packet-types.ts";
import type { RecordedFrame } from "./recording.ts";

/**
 * A request of the recorded session with what became of it: the resends that followed it (same code and sequence,
 * 5.2) and the answer (the paired response code with the request's sequence, table 5.2.1), if one came.
 */
export interface Exchange {
  request: RecordedFrame;
  resends: RecordedFrame[];
  answer?: RecordedFrame;
}

/** The session's requests in the order they were first sent, each with its resends and its answer. */
export function exchangesOf(frames: readonly RecordedFrame[]): Exchange[] {
  const exchanges: Exchange[] = [];
  const open = new Map<string, Exchange>();
  for (const frame of frames) {
    const type = packetType(frame.code);
    if (type.role === "request") {
      const key = `${frame.from}:${frame.code}:${frame.sequence ?? ""}`;
      const pending = open.get(key);
      if (pending !== undefined && pending.answer === undefined) {
        pending.resends.push(frame);
        continue;
      }
      const exchange: Exchange = { request: frame, resends: [] };
      exchanges.push(exchange);
      open.set(key, exchange);
      continue;
    }
    const asker = frame.from === "device" ? "platform" : "device";
    const pending = open.get(`${asker}:${type.pair}:${frame.sequence ?? ""}`);
    // A second answer to one request (to a resend that crossed the first answer) adds nothing to compare.
    if (pending !== undefined && pending.answer === undefined) pending.answer = frame;
  }
  return exchanges;
}
