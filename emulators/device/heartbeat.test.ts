import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { heartbeatSeconds, startHeartbeat } from "./heartbeat.ts";
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
});
