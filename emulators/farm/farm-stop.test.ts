import { describe, expect, it } from "vitest";
import { exitCodeOf, type StopReason } from "./farm-model.ts";
import { LatencyHistograms } from "./latency-histograms.ts";
import { farm, feed, finish, ofKind, runFor, s, snapshot, started, status, tick } from "./testing/farm.ts";

describe("the load run's phases and stop reasons", () => {
  it("ramp, steady, stop: controls start once ramped, steady once every device is online, stop when time is up", () => {
    const { state } = started({}, "w1", "w2");
    const { state: ran, actions } = runFor(state, 1, 60);
    expect(actions.filter((a) => a.kind === "controls" || a.kind === "run-control")).toEqual([
      { kind: "controls", step: "start" },
      { kind: "controls", step: "steady" },
      { kind: "run-control", action: "steady", reason: "every device online" },
      { kind: "controls", step: "stop" },
      { kind: "run-control", action: "stop", reason: "ramp (1 s) and steady duration (5 s) done" },
    ]);
    expect(ofKind(actions, "progress").map((a) => a.state.online)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(ran).toMatchObject({ phase: "stopping", steadyFrom: 1, stoppingSince: s(6) });
  });

  it("no device ever online: the run fails", () => {
    const outcome = finish(started({}, "w1", "w2").state, { online: 0 });
    expect(outcome.stop.kind).toBe("no-device-online");
    expect(exitCodeOf(outcome.stop)).toBe(1);
  });

  it("a worker without a final snapshot 15 s after the stop is lost, and the run ends", () => {
    let { state } = started({}, "w1", "w2");
    state = runFor(state, 1, 60).state;
    const stoppedAt = state.stoppingSince;
    // w2 still sends snapshots, none final.
    const w2 = [7, 10, 13, 16, 19].map((t) => snapshot(state, "w2", s(t)));
    state = feed(state, snapshot(state, "w1", s(7), { final: true }), ...w2, tick(stoppedAt + 14_999)).state;
    expect(state.phase).toBe("stopping");
    const { actions } = feed(state, tick(stoppedAt + 15_000));
    const outcome = ofKind(actions, "finish")[0]?.outcome;
    expect(outcome?.workers.map((w) => w.state)).toEqual(["finished", "lost"]);
    expect(outcome?.workers[1]?.lostReason).toBe("no final snapshot within 15.0 s of stop");
    expect(outcome?.stop.kind).toBe("lost-devices");
  });

  it("a worker late at the stop (starved of CPU) has until the silence limit to send its final snapshot", () => {
    let { state } = started({ lateMs: 3000, silenceMs: 40_000 }, "w1", "w2");
    state = runFor(state, 1, 60).state;
    const stoppedAt = state.stoppingSince;
    state = feed(state, snapshot(state, "w1", s(7), { final: true }), tick(stoppedAt + 20_000)).state;
    expect(state.phase).toBe("stopping");
    const heard = feed(state, snapshot(state, "w2", stoppedAt + 21_000, { final: true }));
    expect(ofKind(heard.actions, "finish")[0]?.outcome.workers.map((w) => w.state)).toEqual([
      "finished",
      "finished",
    ]);
    const { actions } = feed(state, tick(stoppedAt + 40_000));
    const outcome = ofKind(actions, "finish")[0]?.outcome;
    expect(outcome?.workers[1]?.lostReason).toBe("no final snapshot within 40.0 s of stop");
  });

  it("every worker lost: the run stops", () => {
    let { state } = started({}, "w1", "w2");
    state = feed(state, status("w1", "gone", s(1)), status("w2", "gone", s(1)), tick(s(1))).state;
    expect(state.reason).toEqual({ kind: "all-workers-lost", text: "every worker was lost" });
    expect(state.phase).toBe("done");
  });

  const histograms = (ms: number) => {
    const h = new LatencyHistograms();
    h.record("heartbeat", ms);
    return h.encode();
  };
  it.each([
    ["errors>5", { errors: { "login-timeout": 3 } }, /^6 errors$/],
    [
      "heartbeat-p99>100",
      { latencies: histograms(250), steadyLatencies: histograms(250) },
      // At HDR's resolution: 250 ms is read back as 250.1.
      /^250\.\d\d ms over 2 round trips$/,
    ],
  ])("stop condition %s trips once ramped", (condition, extra, seen) => {
    const { state } = started({ stopOn: [condition] }, "w1", "w2");
    const outcome = finish(state, extra);
    expect(outcome.stop).toMatchObject({
      kind: "stop-condition",
      condition,
      seen: expect.stringMatching(seen),
    });
    expect(outcome.stop.text).toBe(
      `stop condition ${condition} tripped: ${(outcome.stop as { seen: string }).seen}`,
    );
    expect(outcome.stopConditions).toEqual([{ condition, tripped: true, seen: expect.stringMatching(seen) }]);
    expect(exitCodeOf(outcome.stop)).toBe(1);
  });

  it("stop condition lost-devices>0 trips on a shard lost with no spare", () => {
    let { state } = started({ stopOn: ["errors>100", "lost-devices>0"] }, "w1", "w2");
    state = feed(state, status("w1", "gone", s(0.5))).state;
    const outcome = finish(state);
    expect(outcome.stop).toMatchObject({ kind: "stop-condition", condition: "lost-devices>0" });
    expect(outcome.stopConditions.map((c) => c.tripped)).toEqual([false, true]);
  });

  it("Ctrl-C stops the run; before the shards are assigned, it stops as soon as they are", () => {
    const { state } = started({}, "w1", "w2");
    const running = feed(state, { kind: "interrupt", now: s(2) });
    expect(running.state.reason?.kind).toBe("interrupted");
    expect(ofKind(running.actions, "run-control")[0]?.reason).toBe(
      "interrupted (Ctrl-C): the report covers the run so far",
    );
    const early = feed(
      farm(),
      { kind: "interrupt", now: s(0) },
      status("w1", "idle"),
      status("w2", "idle"),
      tick(s(1)),
    );
    expect(ofKind(early.actions, "assign")).toHaveLength(2);
    expect(early.state).toMatchObject({ phase: "stopping", reason: { kind: "interrupted" } });
    const outcome = finish(running.state);
    expect(exitCodeOf(outcome.stop)).toBe(1);
  });

  it("exit code: 0 only for a completed run", () => {
    const reasons: Record<StopReason["kind"], 0 | 1> = {
      completed: 0,
      "stop-condition": 1,
      "all-workers-lost": 1,
      interrupted: 1,
      "lost-devices": 1,
      "no-device-online": 1,
    };
    for (const [kind, code] of Object.entries(reasons))
      expect(exitCodeOf({ kind, text: "" } as StopReason), kind).toBe(code);
  });
});
