import { describe, expect, it } from "vitest";
import type { EvidenceFrame } from "./evidence-frame.ts";
import { RoundTrips } from "./latency.ts";

const frame = (
  at: number,
  observer: EvidenceFrame["observer"],
  direction: EvidenceFrame["direction"],
  code: number,
  sequence: string,
  deviceId = "d1",
): EvidenceFrame => ({
  at,
  observer,
  deviceId,
  direction,
  code,
  name: "",
  sequence,
  body: {},
});

describe("round trips", () => {
  it("pair a request with the answer carrying its sequence, as the requester saw them; resends count from the first send", () => {
    const trips = new RoundTrips();
    trips.observe(frame(0, "device", "out", 1000, "7"));
    trips.observe(frame(10_000, "device", "out", 1000, "7"));
    trips.observe(frame(10_040, "device", "in", 1001, "7"));
    trips.observe(frame(20_000, "platform", "out", 2005, "9"));
    trips.observe(frame(20_030, "platform", "in", 2004, "9"));
    // The other side's view of the same exchange is not a round trip of its own.
    trips.observe(frame(20_000, "device", "in", 2005, "9"));
    trips.observe(frame(20_030, "device", "out", 2004, "9"));
    expect(trips.samples.heartbeat).toEqual([10_040]);
    expect(trips.samples.control).toEqual([30]);
  });

  it("never pairs an answer with a request left unanswered before a new connect, or long ago", () => {
    const trips = new RoundTrips();
    trips.observe(frame(0, "device", "out", 1000, "5"));
    trips.observe(frame(1_000, "device", "out", 1004, "4"));
    trips.observe(frame(1_010, "device", "in", 1005, "4"));
    trips.observe(frame(3_600_000, "device", "out", 1000, "5"));
    trips.observe(frame(3_600_040, "device", "in", 1001, "5"));
    expect(trips.samples.heartbeat).toEqual([40]);
    expect(trips.samples.connect).toEqual([10]);
    trips.observe(frame(4_000_000, "platform", "out", 2003, "1"));
    trips.observe(frame(4_100_000, "platform", "in", 2002, "1"));
    expect(trips.samples.query).toEqual([]);
  });

  it("forget only the device that logs in or connects again: another device's request still pairs with its answer", () => {
    const trips = new RoundTrips();
    trips.observe(frame(0, "device", "out", 1000, "5", "d1"));
    trips.observe(frame(0, "device", "out", 1000, "5", "d10"));
    trips.observe(frame(10, "device", "out", 1002, "1", "d10"));
    trips.observe(frame(20, "device", "in", 1003, "1", "d10"));
    trips.observe(frame(30, "device", "in", 1001, "5", "d10"));
    trips.observe(frame(50, "device", "in", 1001, "5", "d1"));
    expect(trips.samples.login).toEqual([10]);
    expect(trips.samples.heartbeat).toEqual([50]);
  });
});
