/**
 * Sequence arithmetic, 5.2.2 item 5: each side keeps its own counter, +1 per new request,
 * 65535 is followed by 0, a response carries the sequence of the request it answers.
 */
export const SEQUENCE_MODULUS = 65536;
export const MAX_SEQUENCE = 65535;

export function sequenceAfter(sequence: number): number {
  return (sequence + 1) % SEQUENCE_MODULUS;
}

/** True when `candidate` is the request that must follow `last`. */
export function isNextSequence(last: number, candidate: number): boolean {
  return candidate === sequenceAfter(last);
}

/** A repeat of the last accepted sequence is a retransmission: answer again, do not apply twice. */
export function isRetransmissionOf(last: number, candidate: number): boolean {
  return candidate === last;
}

export type SequenceVerdict = "first" | "next" | "retransmission" | "out-of-order";

/** How a receiver treats a new request's sequence, given the last one it accepted from that peer. */
export function classifySequence(last: number | undefined, candidate: number): SequenceVerdict {
  if (last === undefined) return "first";
  if (isNextSequence(last, candidate)) return "next";
  if (isRetransmissionOf(last, candidate)) return "retransmission";
  return "out-of-order";
}

/** The wire form: a decimal string (docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)"). */
export function formatSequence(sequence: number): string {
  return String(sequence);
}

export function parseSequence(text: string): number {
  return Number.parseInt(text, 10);
}
