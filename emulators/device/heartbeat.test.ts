import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { firstHeartbeatAfterMs, heartbeatSeconds, startHeartbeat } from "./heartbeat.ts";
import { wellBehaved } from "./misbehaviour.ts";
import { defaultDeviceTiming } from "./options.ts";

describe("heartbeat (5.4.2.2, 5.4.2.3)", () => {
  it("beats at the interval the 1005 gives, 30 s when it gives none", () => {
    expect(heartbeatSeconds({ result: 0, heartBeat: 45 }, defaultDeviceTiming)).toBe(45);
    expect(heartbeatSeconds({ result: 0 }, defaultDeviceTiming)).toBe(30);
  });

  it("sends one heartbeat per interval, none while skipHeartbeats is on, and a failed one is not an error", () => {
    const clock = new VirtualClock();
    const misbehaviour = wellBehaved();
    let beats = 0;
    const timer = startHeartbeat(clock, 30, misbehaviour, () => {
      beats++;
      return Promise.reject(new Error("session ended"));
    });
    clock.advance(90_000);
    misbehaviour.skipHeartbeats = true;
    clock.advance(60_000);
    expect(beats).toBe(3);
    timer.cancel();
    expect(clock.timerCount("heartbeat")).toBe(0);
  });

  it("by default beats first one interval after the connect; spread, at a seeded point of the first interval", () => {
    const random = seededRandom(19);
    expect(firstHeartbeatAfterMs(30, "connect", random)).toBe(30_000);
    const firsts = Array.from({ length: 1000 }, () => firstHeartbeatAfterMs(30, "spread", random));
    expect(Math.min(...firsts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...firsts)).toBeLessThanOrEqual(30_000);
    // Spread over the interval, not bunched: every tenth of it holds some of the 1,000 draws.
    const tenths = new Set(firsts.map((ms) => Math.min(9, Math.floor(ms / 3000))));
    expect(tenths.size).toBe(10);
    const again = seededRandom(19);
    firstHeartbeatAfterMs(30, "connect", again);
    expect(firstHeartbeatAfterMs(30, "spread", again)).toBe(firsts[0]);
  });

  it("a spread first heartbeat is followed by one every interval, and cancelling stops either timer", () => {
    const clock = new VirtualClock({ start: 0 });
    const beats: number[] = [];
    const timer = startHeartbeat(
      clock,
      30,
      wellBehaved(),
      async () => {
        beats.push(clock.now());
      },
      7_000,
    );
    clock.advance(6_999);
    expect(beats).toEqual([]);
    clock.advance(60_001);
    expect(beats).toEqual([7_000, 37_000, 67_000]);
    timer.cancel();
    clock.advance(60_000);
    expect(beats).toHaveLength(3);
    expect(clock.timerCount("heartbeat")).toBe(0);
    const early = startHeartbeat(clock, 30, wellBehaved(), async () => 1, 5_000);
    early.cancel();
    clock.advance(60_000);
    expect(clock.timerCount("heartbeat")).toBe(0);
  });
});
