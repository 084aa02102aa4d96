import type { EvidenceFrame } from "./evidence-frame.ts";

/** Round trips the reports plot, each measured by the side that sent the request. */
export const latencyKinds = {
  login: { request: 1002, response: 1003, observer: "device" },
  connect: { request: 1004, response: 1005, observer: "device" },
  heartbeat: { request: 1000, response: 1001, observer: "device" },
  report: { request: 2006, response: 2007, observer: "device" },
  control: { request: 2005, response: 2004, observer: "platform" },
  query: { request: 2003, response: 2002, observer: "platform" },
} as const;
export type LatencyKind = keyof typeof latencyKinds;

/** Three sends 10 s apart and a little: an answer later than this answers something else. */
const STALE_MS = 35_000;

/** The kind of round trip each request code opens, or each response code closes. */
const kindByCode = (end: "request" | "response") =>
  new Map<number, LatencyKind>(
    Object.entries(latencyKinds).map(([kind, k]) => [k[end], kind as LatencyKind]),
  );
const kindOfRequest = kindByCode("request");
const kindOfResponse = kindByCode("response");

/**
 * Pairs each request with the first answer carrying its sequence, as the requester saw them: from the first send
 * (resends included) to the answer. Keeps at most `maxSamples` per kind.
 */
export class RoundTrips {
  readonly samples: Record<LatencyKind, number[]> = {
    login: [],
    connect: [],
    heartbeat: [],
    report: [],
    control: [],
    query: [],
  };
  /** Requests not yet answered, by the side that sent them (`observer|deviceId`): `code|sequence` to first send. */
  private readonly open = new Map<string, Map<string, number>>();

  constructor(private readonly maxSamples = 20_000) {}

  observe(frame: EvidenceFrame): void {
    if (frame.sequence === undefined) return;
    const side = `${frame.observer}|${frame.deviceId}`;
    // A new login or connect starts the device's sequences afresh: what it left unanswered will never be answered.
    if (frame.code === 1002 || frame.code === 1004) this.open.delete(side);
    if (frame.direction === "out") {
      const asked = kindOfRequest.get(frame.code);
      if (asked === undefined || latencyKinds[asked].observer !== frame.observer) return;
      let sent = this.open.get(side);
      if (sent === undefined) {
        sent = new Map();
        this.open.set(side, sent);
      }
      const key = `${frame.code}|${frame.sequence}`;
      const sentAt = sent.get(key);
      // A resend keeps the first send's time, unless that was so long ago it cannot be the same request.
      if (sentAt === undefined || frame.at - sentAt > STALE_MS) sent.set(key, frame.at);
      return;
    }
    const answered = kindOfResponse.get(frame.code);
    if (answered === undefined || latencyKinds[answered].observer !== frame.observer) return;
    const sent = this.open.get(side);
    const key = `${latencyKinds[answered].request}|${frame.sequence}`;
    const sentAt = sent?.get(key);
    if (sent === undefined || sentAt === undefined) return;
    sent.delete(key);
    if (frame.at - sentAt > STALE_MS) return;
    if (this.samples[answered].length < this.maxSamples) this.samples[answered].push(frame.at - sentAt);
  }
}
