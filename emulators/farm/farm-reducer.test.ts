import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { exitCodeOf, outcomeOf } from "./farm-model.ts";
import { type FarmEvent, reduceFarm } from "./farm-reducer.ts";
import {
  farm,
  feed,
  finish,
  ofKind,
  runFor,
  s,
  snapshot,
  snapshots,
  started,
  status,
  tick,
} from "./testing/farm.ts";

describe("the load coordinator's reducer", () => {
  it("waits for enough idle workers, then gives each a shard on the next tick, in id order", () => {
    const waiting = feed(
      farm({ workers: 3 }),
      status("w3", "idle"),
      status("w9", "busy"),
      status("w1", "idle"),
      tick(s(0.5)),
    );
    expect(waiting.state.phase).toBe("waiting");
    expect(waiting.actions).toEqual([]);
    // Enough idle workers on w4's status, but the choice waits for the tick: w2's status comes in the same burst.
    const { state, actions } = feed(waiting.state, status("w4", "idle"), status("w2", "idle"), tick(s(1)));
    const assigns = ofKind(actions, "assign");
    expect(assigns.map((a) => [a.workerId, a.assignment.shard])).toEqual([
      ["w1", 0],
      ["w2", 1],
      ["w3", 2],
    ]);
    // The shards cover the fleet exactly once, each with its share of the ramp.
    const ids = assigns.flatMap((a) => a.assignment.devices.map((d) => d.deviceId));
    expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`).sort());
    expect(assigns.map((a) => a.assignment.rampPerSecond)).toEqual([3, 3, 4]);
    expect(state).toMatchObject({ phase: "running", startedAt: s(1) });
  });

  it("gives up, as a usage error, when too few workers are idle in time", () => {
    const { state, actions } = feed(farm({ workers: 2 }), status("w1", "idle"), tick(s(30)), tick(s(61)));
    expect(actions).toEqual([{ kind: "give-up", idle: 1, waitedMs: 61_000 }]);
    expect(state.phase).toBe("done");
  });

  it("never changes the state it is given", () => {
    const before = started({}, "w1", "w2").state;
    const copy = structuredClone(before);
    feed(before, ...snapshots(before, s(1)), status("w1", "gone", s(2)), tick(s(3)), {
      kind: "interrupt",
      now: s(4),
    });
    expect(before).toEqual(copy);
    // A worker late, then heard again.
    const long = started({ steadySeconds: 60 }, "w1", "w2").state;
    const running = feed(long, ...snapshots(long, s(0.5))).state;
    const runningCopy = structuredClone(running);
    const seconds = Array.from({ length: 12 }, (_, i) => i + 1);
    const late = feed(running, ...seconds.flatMap((t) => [snapshot(running, "w2", s(t)), tick(s(t))]));
    expect(late.state.runs.get("w1")?.late).toBe(true);
    feed(late.state, snapshot(running, "w1", s(12.5)));
    expect(running).toEqual(runningCopy);
    expect(late.state.runs.get("w1")?.late).toBe(true);
  });

  it("a worker's last will: its shard goes to a spare idle worker, and the lost worker is told to stop", () => {
    const run = started({ workers: 2 }, "w1", "w2", "w3");
    const { state, actions } = feed(run.state, status("w1", "gone", s(0.5)));
    expect(ofKind(actions, "stop-worker")).toEqual([
      {
        kind: "stop-worker",
        workerId: "w1",
        reason: "reported lost: its connection to the broker dropped (last will)",
      },
    ]);
    expect(ofKind(actions, "assign").map((a) => [a.workerId, a.assignment.shard])).toEqual([["w3", 0]]);
    expect(state.shards[0]).toMatchObject({ state: "reassigned", workers: ["w1", "w3"] });
    expect(state.lostDevices).toBe(0);
    const outcome = finish(state);
    expect(outcome.workers.map((w) => [w.workerId, w.state])).toEqual([
      ["w1", "lost"],
      ["w2", "finished"],
      ["w3", "finished"],
    ]);
    expect(outcome.stop.kind).toBe("completed");
    expect(exitCodeOf(outcome.stop)).toBe(0);
  });

  it("no spare: the shard is lost with its devices, the worker told to stop, and the run fails", () => {
    const run = started({ workers: 2 }, "w1", "w2");
    const { state, actions } = feed(run.state, status("w2", "gone", s(0.5)));
    expect(ofKind(actions, "assign")).toEqual([]);
    expect(ofKind(actions, "stop-worker").map((a) => a.workerId)).toEqual(["w2"]);
    expect(state.shards[1]).toMatchObject({ state: "lost", workers: ["w2"] });
    expect(state.shards[1]?.note).toContain("no spare worker");
    expect(state.lostDevices).toBe(5);
    const outcome = finish(state);
    expect(outcome.stop).toEqual({
      kind: "lost-devices",
      devices: 5,
      text: "ramp (1 s) and steady duration (5 s) done",
    });
    expect(outcome.stopReason).toBe("ramp (1 s) and steady duration (5 s) done");
    expect(exitCodeOf(outcome.stop)).toBe(1);
  });

  it("silence past the limit, on the events' time: lost", () => {
    let { state } = started({ silenceMs: 3000 }, "w1", "w2");
    state = feed(state, ...snapshots(state, s(0.5))).state;
    // w2 keeps reporting; w1 falls silent after 0.5 s.
    const ticks = [1, 2, 3].flatMap((t) => [snapshot(state, "w2", s(t) - 10), tick(s(t))]);
    const quiet = feed(state, ...ticks);
    expect(quiet.state.runs.get("w1")?.state).toBe("running");
    const { state: after, actions } = feed(quiet.state, snapshot(state, "w2", s(4) - 10), tick(s(4)));
    expect(after.runs.get("w1")).toMatchObject({
      state: "lost",
      lostReason: "silent for 3.5 s",
      lostAt: s(4),
    });
    expect(after.runs.get("w2")?.state).toBe("running");
    expect(ofKind(actions, "stop-worker").map((a) => a.workerId)).toEqual(["w1"]);
  });

  it("samples, once a second, the devices online beside the devices powered on, summed over the workers", () => {
    let { state } = started({ steadySeconds: 60 }, "w1", "w2");
    state = feed(
      state,
      snapshot(state, "w1", s(0.5), { online: 2, poweredOn: 4 }),
      snapshot(state, "w2", s(0.5), { online: 1, poweredOn: 3 }),
      tick(s(1)),
      snapshot(state, "w1", s(1.5), { online: 4, poweredOn: 5 }),
      tick(s(2)),
    ).state;
    expect(state.online.slice(-2)).toEqual([
      { t: 1, online: 3, poweredOn: 7 },
      { t: 2, online: 5, poweredOn: 8 },
    ]);
  });

  it("silence past the late limit: said once, the worker's devices still counted; heard again; lost only past the silence limit", () => {
    let { state } = started({ lateMs: 3000, silenceMs: 8000, steadySeconds: 60 }, "w1", "w2");
    state = feed(state, ...snapshots(state, s(0.5), { online: 5 })).state;
    // w1 starved of CPU from 0.5 s to 6.2 s; w2 on time.
    const w2 = (t: number) => snapshot(state, "w2", s(t) - 10, { online: 5 });
    const quiet = feed(state, ...[1, 2, 3, 4, 5, 6].flatMap((t) => [w2(t), tick(s(t))]));
    const warnings = ofKind(quiet.actions, "log").filter((a) => a.message.startsWith("worker late"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain("no snapshot for 3.5 s");
    expect(warnings[0]?.fields).toMatchObject({ workerId: "w1" });
    expect(quiet.state.runs.get("w1")?.state).toBe("running");
    expect(ofKind(quiet.actions, "stop-worker")).toEqual([]);
    const progress = ofKind(quiet.actions, "progress").at(-1)?.state;
    expect(progress).toMatchObject({ online: 10, liveWorkers: 2, lostWorkers: 0 });
    // Heard again at 6.2 s; later silent again: a second warning, then lost past 8 s.
    const back = feed(quiet.state, snapshot(state, "w1", s(6.2), { online: 5 }));
    expect(ofKind(back.actions, "log").map((a) => a.message)).toEqual(["worker heard again"]);
    expect(back.state.runs.get("w1")).toMatchObject({ late: false, longestSilenceMs: 5500 });
    const again = feed(back.state, ...[7, 8, 9, 10, 11, 12, 13, 14, 15].flatMap((t) => [w2(t), tick(s(t))]));
    expect(ofKind(again.actions, "log").filter((a) => a.message.startsWith("worker late"))).toHaveLength(1);
    expect(again.state.runs.get("w1")).toMatchObject({ state: "lost", lostReason: "silent for 8.8 s" });
  });

  it("the report names the workers that were late and for how long, and no others", () => {
    let { state } = started({ lateMs: 3000, steadySeconds: 10 }, "w1", "w2");
    state = feed(state, ...snapshots(state, s(0.5))).state;
    const w2 = (t: number) => snapshot(state, "w2", s(t) - 10);
    state = feed(state, ...[1, 2, 3, 4, 5].flatMap((t) => [w2(t), tick(s(t))])).state;
    state = feed(state, snapshot(state, "w1", s(5.5))).state;
    state = runFor(state, 6, 60).state;
    const outcome = finish(state);
    expect(outcome.workers.map((w) => [w.workerId, w.state, w.longestSilenceS])).toEqual([
      ["w1", "finished", 4.5],
      ["w2", "finished", undefined],
    ]);
    expect(outcome.stop.kind).toBe("completed");
  });

  it("a tick delayed in the coordinator itself is not silence: the snapshots still queued are read first", () => {
    let { state } = started({ silenceMs: 3000, steadySeconds: 60 }, "w1", "w2");
    state = feed(state, ...snapshots(state, s(0.5)), tick(s(1))).state;
    // The coordinator is held up 8 s: the next tick comes late; the workers' snapshots wait behind it.
    const late = feed(state, tick(s(9)));
    expect([...late.state.runs.values()].map((r) => r.state)).toEqual(["running", "running"]);
    const read = feed(late.state, ...snapshots(late.state, s(9) + 5), tick(s(10)));
    expect([...read.state.runs.values()].map((r) => r.state)).toEqual(["running", "running"]);
    // Had they really gone quiet, the next tick on time judges them.
    const silent = feed(late.state, tick(s(10)));
    expect([...silent.state.runs.values()].map((r) => r.state)).toEqual(["lost", "lost"]);
  });

  it("a worker that never sends a snapshot is late after 10 s and lost 60 s after its assignment", () => {
    let { state } = started({ steadySeconds: 120 }, "w1", "w2");
    const lateSaid: string[] = [];
    for (let t = 1; t <= 60; t++) {
      const step = feed(state, snapshot(state, "w2", s(t) - 10), tick(s(t)));
      state = step.state;
      for (const log of ofKind(step.actions, "log"))
        if (log.message.startsWith("worker late")) lateSaid.push(`${t}`);
    }
    expect(lateSaid).toEqual(["11"]);
    expect(state.runs.get("w1")?.state).toBe("running");
    state = feed(state, snapshot(state, "w2", s(61) - 10), tick(s(61))).state;
    expect(state.runs.get("w1")?.lostReason).toBe("no snapshot within 60.0 s of its assignment");
  });

  it("ignores snapshots of another run, another shard, or older than the last", () => {
    const { state } = started({}, "w1", "w2");
    const newer = feed(state, snapshot(state, "w1", s(2), { online: 3 })).state;
    const after = feed(
      newer,
      snapshot(state, "w1", s(1), { online: 1 }),
      snapshot(state, "w1", s(3), { runId: "other", online: 1 }),
      snapshot(state, "w1", s(3), { shard: 1, online: 1 }),
    ).state;
    expect(after.runs.get("w1")?.last?.online).toBe(3);
  });

  const workerIds = ["w1", "w2", "w3", "w4", "w5", "w6"];
  const farmEvent = fc.oneof(
    fc.record({ kind: fc.constant("idle"), worker: fc.constantFrom(...workerIds) }),
    fc.record({ kind: fc.constant("gone"), worker: fc.constantFrom(...workerIds) }),
    fc.record({ kind: fc.constant("failure"), worker: fc.constantFrom(...workerIds) }),
    fc.record({ kind: fc.constant("tick"), seconds: fc.integer({ min: 0, max: 30 }) }),
  );
  test.prop([fc.array(farmEvent, { maxLength: 60 })])(
    "in any order of announcements and losses, a shard is run by one live worker at most, or counted lost",
    (events) => {
      let state = farm({ workers: 3, devices: 9 });
      let now = s(0);
      for (const e of events) {
        if (e.kind === "tick") now += e.seconds * 1000;
        const event: FarmEvent =
          e.kind === "tick"
            ? tick(now)
            : e.kind === "failure"
              ? snapshot(state, e.worker, now, { failure: "boom" })
              : status(e.worker, e.kind === "gone" ? "gone" : "idle", now);
        state = reduceFarm(state, event).state;
        const running = [...state.runs.values()].filter((r) => r.state === "running");
        for (const shard of state.shards) {
          const holders = running.filter((r) => r.shard === shard.shard);
          expect(holders.length).toBeLessThanOrEqual(1);
          if (state.phase === "running") expect(holders.length === 1).toBe(shard.state !== "lost");
        }
        const lost = state.shards.filter((sh) => sh.state === "lost").reduce((n, sh) => n + sh.devices, 0);
        expect(state.lostDevices).toBe(lost);
      }
    },
  );
});

describe("the ramp, as the workers' clocks timed it", () => {
  const w1 = { firstPowerOnAt: s(0.02), lastPowerOnAt: s(0.98), allOnlineAt: s(1.1) };
  const w2 = { firstPowerOnAt: s(0.04), lastPowerOnAt: s(1), allOnlineAt: s(1.3) };

  it("takes the first power-on of any shard, and the last power-on and all online of the last shard", () => {
    const { state } = started({ workers: 2 }, "w1", "w2");
    const both = feed(state, snapshot(state, "w1", s(1.5), w1), snapshot(state, "w2", s(1.5), w2)).state;
    expect(outcomeOf(both, s(2)).ramp).toEqual({
      firstPowerOnAt: s(0.02),
      lastPowerOnSeconds: 0.98,
      allOnlineSeconds: 1.28,
    });
    // Each worker's own, in seconds after the run's first power-on.
    expect(outcomeOf(both, s(2)).workers.map((w) => [w.workerId, w.ramp])).toEqual([
      ["w1", { firstPowerOnSeconds: 0, lastPowerOnSeconds: 0.96, allOnlineSeconds: 1.08 }],
      ["w2", { firstPowerOnSeconds: 0.02, lastPowerOnSeconds: 0.98, allOnlineSeconds: 1.28 }],
    ]);
    // One shard not yet all online: the run has no such moment.
    const { allOnlineAt: _, ...w2NotAll } = w2;
    const partly = feed(
      state,
      snapshot(state, "w1", s(1.5), w1),
      snapshot(state, "w2", s(1.5), w2NotAll),
    ).state;
    expect(outcomeOf(partly, s(2)).ramp).toEqual({ firstPowerOnAt: s(0.02), lastPowerOnSeconds: 0.98 });
    // No device powered on yet.
    const none = outcomeOf(feed(state, ...snapshots(state, s(0.5))).state, s(1));
    expect([none.ramp, none.rampUntimed]).toEqual([undefined, undefined]);
  });

  it("takes the longest any worker held its ramp while it ran behind, and says nothing when none held it", () => {
    const { state } = started({ workers: 2 }, "w1", "w2");
    const held = feed(
      state,
      snapshot(state, "w1", s(1.5), { ...w1, rampHeldMs: 240 }),
      snapshot(state, "w2", s(1.5), { ...w2, rampHeldMs: 1_380 }),
    ).state;
    expect(outcomeOf(held, s(2)).ramp?.heldSeconds).toBe(1.38);
    expect(outcomeOf(held, s(2)).workers.map((w) => w.ramp?.heldSeconds)).toEqual([0.24, 1.38]);
    const never = feed(
      state,
      snapshot(state, "w1", s(1.5), { ...w1, rampHeldMs: 0 }),
      snapshot(state, "w2", s(1.5), w2),
    ).state;
    expect(outcomeOf(never, s(2)).ramp).not.toHaveProperty("heldSeconds");
    expect(outcomeOf(never, s(2)).workers.map((w) => w.ramp)).not.toContainEqual(
      expect.objectContaining({ heldSeconds: expect.anything() }),
    );
  });

  it("takes a reassigned shard's times from its new worker, and none for a shard lost with its devices", () => {
    const spare = started({ workers: 2 }, "w1", "w2", "w3").state;
    let state = feed(
      spare,
      snapshot(spare, "w1", s(0.5), { firstPowerOnAt: s(0.02) }),
      snapshot(spare, "w2", s(1.5), w2),
      status("w1", "gone", s(0.6)),
    ).state;
    state = feed(
      state,
      snapshot(state, "w3", s(3), { firstPowerOnAt: s(0.7), lastPowerOnAt: s(1.7), allOnlineAt: s(2.5) }),
    ).state;
    expect(outcomeOf(state, s(4)).ramp).toEqual({
      firstPowerOnAt: s(0.02),
      lastPowerOnSeconds: 1.68,
      allOnlineSeconds: 2.48,
    });
    const noSpare = started({ workers: 2 }, "w1", "w2").state;
    // w2 had its devices online before it went: they went with it.
    const lost = feed(
      noSpare,
      snapshot(noSpare, "w1", s(1.5), w1),
      snapshot(noSpare, "w2", s(1.5), w2),
      status("w2", "gone", s(1.6)),
    ).state;
    expect(outcomeOf(lost, s(2)).ramp).toEqual({ firstPowerOnAt: s(0.02) });
  });

  it("leaves shards without devices out, and times no ramp with a shard untimed or a clock far off", () => {
    // One device, two shards: the second shard is empty, and its worker times nothing.
    const one = started({ workers: 2, devices: 1 }, "w1", "w2").state;
    expect(one.config.assignments.map((a) => a.devices.length)).toEqual([0, 1]);
    const timed = feed(one, snapshot(one, "w1", s(1.5)), snapshot(one, "w2", s(1.5), w2)).state;
    expect(outcomeOf(timed, s(2)).ramp).toEqual({
      firstPowerOnAt: s(0.04),
      lastPowerOnSeconds: 0.96,
      allOnlineSeconds: 1.26,
    });
    const { state } = started({ workers: 2 }, "w1", "w2");
    // A worker of an earlier version sends no times: the first power-on of the others is not the run's.
    const older = feed(state, snapshot(state, "w1", s(1.5), w1), snapshot(state, "w2", s(1.5))).state;
    expect(outcomeOf(older, s(2))).not.toHaveProperty("ramp");
    expect(outcomeOf(older, s(2)).rampUntimed).toBe(
      "shard 1 sent no ramp times (its worker of an earlier version, or lost before its first power-on)",
    );
    // A worker's clock more than a minute before the run's start.
    const early = { ...w2, firstPowerOnAt: s(-61) };
    const skewed = feed(state, snapshot(state, "w1", s(1.5), w1), snapshot(state, "w2", s(1.5), early)).state;
    expect(outcomeOf(skewed, s(2))).not.toHaveProperty("ramp");
    expect(outcomeOf(skewed, s(2)).rampUntimed).toBe(
      "worker w2's clock is more than a minute off the coordinator's",
    );
    const within = { ...w2, firstPowerOnAt: s(-59) };
    const near = feed(state, snapshot(state, "w1", s(1.5), w1), snapshot(state, "w2", s(1.5), within)).state;
    expect(outcomeOf(near, s(2)).ramp?.firstPowerOnAt).toBe(s(-59));
  });
});
