import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import type { McMessage } from "../protocol/mc/schemas/index.ts";
import { EvidenceSlot } from "./evidence-slot.ts";
import type { PlatformEvents } from "./platform-events.ts";
import { EvidenceRecorder } from "./recorder.ts";

const heartbeat: McMessage = { code: 1000, body: { sequence: "1", token: "t", time: 1 } };

/** A platform that only emits: one heartbeat in from `deviceId` at the clock's now. */
function fakePlatform(clock: VirtualClock) {
  const events = new EventEmitter<PlatformEvents>();
  const frame = (deviceId: string) =>
    events.emit("frame", { deviceId, direction: "in", message: heartbeat, at: clock.now() });
  return { events, frame };
}

describe("an evidence slot", () => {
  it("feeds each frame to the recorder it holds when the frame passes, and none while it holds none", () => {
    const clock = new VirtualClock();
    const platform = fakePlatform(clock);
    const slot = new EvidenceSlot();
    slot.recordPlatform(platform, clock);
    const [first, second] = [new EvidenceRecorder(), new EvidenceRecorder()];
    slot.use(first);
    platform.frame("a");
    slot.use(undefined);
    platform.frame("a");
    slot.use(second);
    platform.frame("a");
    platform.frame("a");
    expect([first.frameCount, second.frameCount]).toEqual([1, 2]);
  });

  it("gives a recorder it takes later the clocks of the platforms attached before, to measure target time", () => {
    const clock = new VirtualClock();
    const slot = new EvidenceSlot();
    slot.recordPlatform(fakePlatform(clock), clock);
    const recorder = new EvidenceRecorder();
    slot.use(recorder);
    clock.advance(5_000);
    expect(recorder.targetMs).toBe(5_000);
    expect(recorder.now()).toBe(clock.now());
  });

  it("stops recording a detached platform, and gives its clock to no later recorder", () => {
    const clock = new VirtualClock();
    const platform = fakePlatform(clock);
    const slot = new EvidenceSlot();
    const detach = slot.recordPlatform(platform, clock);
    detach();
    const recorder = new EvidenceRecorder();
    slot.use(recorder);
    platform.frame("a");
    clock.advance(5_000);
    expect([recorder.frameCount, recorder.targetMs]).toEqual([0, 0]);
  });

  it("never mixes two slots: each platform's frames reach its own slot's recorder", () => {
    const side = () => {
      const clock = new VirtualClock();
      const platform = fakePlatform(clock);
      const slot = new EvidenceSlot();
      const recorder = new EvidenceRecorder();
      slot.recordPlatform(platform, clock);
      slot.use(recorder);
      return { platform, recorder };
    };
    const [a, b] = [side(), side()];
    a.platform.frame("a");
    b.platform.frame("b");
    b.platform.frame("b");
    const seen = [a, b].map(({ recorder }) =>
      recorder.timeline(Number.POSITIVE_INFINITY).frames.map((f) => f.deviceId),
    );
    expect(seen).toEqual([["a"], ["b", "b"]]);
  });
});
