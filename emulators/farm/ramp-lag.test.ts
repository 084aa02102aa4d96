import { describe, expect, it } from "vitest";
import { rampLag, rampTimed, workersCoreWaitShare } from "./ramp-lag.ts";

const online = (points: Array<[number, number]>) => points.map(([t, n]) => ({ t, online: n }));
const profile = { devices: 100_000, rampPerSecond: 2000 };

describe("rampLag", () => {
  it("says nothing when the devices kept up with the ramp, or the run ended before it did", () => {
    // 50 s of ramp; 1 s of logins behind it at its end.
    expect(
      rampLag({
        profile,
        online: online([
          [25, 48_000],
          [50, 98_000],
          [52, 100_000],
        ]),
      }),
    ).toBeUndefined();
    expect(
      rampLag({
        profile,
        online: online([
          [10, 1_000],
          [20, 2_000],
        ]),
      }),
    ).toBeUndefined();
    expect(rampLag({ profile: { devices: 0, rampPerSecond: 10 }, online: [] })).toBeUndefined();
  });

  it("says how far behind the ramp the devices came online, at what rate, and when all were", () => {
    const behind = online([
      [21, 2_078],
      [50, 14_489],
      [127, 100_000],
    ]);
    expect(rampLag({ profile, online: behind })).toBe(
      "the ramp asked 2,000 devices a second for 50 s; when it ended (50 s) 14,489 of 100,000 were online, 290 a second, and all were at 127 s: the logins waited for the farm's processes or the platform, so the platform was not tested at that rate; ask a slower ramp, or give the farm more cores",
    );
    const never = online([
      [50, 5_959],
      [140, 77_049],
    ]);
    expect(rampLag({ profile, online: never })).toContain(
      "5,959 of 100,000 were online, 119 a second, and at most 77,049 ever were",
    );
    // 10 s of ramp behind is the limit: 80,000 at its end is not yet notable, 79,999 is.
    expect(rampLag({ profile, online: online([[50, 80_000]]) })).toBeUndefined();
    expect(rampLag({ profile, online: online([[50, 79_999]]) })).toContain("79,999 of 100,000");
  });
});

describe("rampLag, with the ramp timed by the workers' clocks", () => {
  const at = "2026-12-05T07:00:00.000Z";
  const timed = (lastPowerOnSeconds: number, allOnlineSeconds: number, samples = online([])) =>
    rampLag({ profile, online: samples, ramp: { firstPowerOnAt: at, lastPowerOnSeconds, allOnlineSeconds } });

  it("says when the farm powered the devices on behind the ramp, the logins keeping pace", () => {
    expect(timed(62.77, 63.08)).toBe(
      "the ramp asked 2,000 devices a second for 50 s; the farm powered them on in 62.77 s, 1,593 a second, 12.77 s late (on one machine most likely its workers waiting for a core, or a shard started again on a spare worker), and every device was online 63.08 s after the first power-on, 0.31 s after the last power-on: the platform was tested at 1,585 logins a second, not 2,000; ask a slower ramp, or give the farm more cores",
    );
  });

  it("says that a worker held its ramp while it ran behind, when one did", () => {
    expect(
      rampLag({
        profile,
        online: online([]),
        ramp: { firstPowerOnAt: at, lastPowerOnSeconds: 67.5, allOnlineSeconds: 68.11, heldSeconds: 17.24 },
      }),
    ).toContain(
      "the farm powered them on in 67.50 s, 1,481 a second, 17.50 s late (a worker held its ramp for up to 17.24 s while it ran more than 100 ms behind, most likely waiting for a core), and every device",
    );
  });

  it("says how much of the run the workers' main threads waited for a core, where they measured it", () => {
    const held = {
      firstPowerOnAt: at,
      lastPowerOnSeconds: 70.92,
      allOnlineSeconds: 70.95,
      heldSeconds: 41.89,
    };
    const run = { startedAt: "2026-12-07T15:15:44.951Z", finishedAt: "2026-12-07T15:18:04.951Z" };
    // Two workers over a 140 s run: 84 s and 70 s of waiting, 55 % of the run on average.
    const workers = [{ coreWaitSeconds: 84 }, { coreWaitSeconds: 70 }];
    expect(rampLag({ profile, online: online([]), ramp: held, ...run, workers })).toContain(
      "20.92 s late (a worker held its ramp for up to 41.89 s while it ran more than 100 ms behind, its workers' main threads waiting for a core 55 % of the run), and every device",
    );
    // Workers that did not say (off Linux, or of an earlier version).
    expect(rampLag({ profile, online: online([]), ramp: held, ...run, workers: [{}, {}] })).toContain(
      "more than 100 ms behind, most likely waiting for a core), and",
    );
  });

  it("says when the farm kept the ramp and the logins fell behind it, and names both when both were late", () => {
    expect(timed(49.98, 75)).toBe(
      "the ramp asked 2,000 devices a second for 50 s; the farm powered them on in 49.98 s, 2,001 a second, and every device was online 75.00 s after the first power-on, 25.02 s after the last power-on (the logins waited for the farm's processes or the platform): the platform was tested at 1,333 logins a second, not 2,000; ask a slower ramp, or give the farm more cores",
    );
    const both = timed(70, 140);
    expect(both).toContain("in 70.00 s, 1,429 a second, 20.00 s late (on one machine");
    expect(both).toContain(
      "70.00 s after the last power-on (the logins waited for the farm's processes or the platform)",
    );
  });

  it("says when the workers' clocks disagree, rather than a negative time", () => {
    expect(timed(80, 79.5)).toContain(
      "every device was online 79.50 s after the first power-on, 0.50 s before the last power-on by the workers' clocks, which disagree:",
    );
  });

  it("counts from the first power-on, not the run's start: within 10 s of the ramp is keeping up", () => {
    // The samples count from the run's start, seconds before the first power-on: by them the devices lagged.
    const samples = online([[50, 44_348]]);
    expect(timed(49.98, 60, samples)).toBeUndefined();
    expect(timed(49.98, 60.01, samples)).toContain(
      "every device was online 60.01 s after the first power-on",
    );
    // Never all online at once: the samples tell.
    expect(
      rampLag({ profile, online: samples, ramp: { firstPowerOnAt: at, lastPowerOnSeconds: 49.98 } }),
    ).toContain("when it ended (50 s) 44,348 of 100,000 were online");
  });
});

describe("rampTimed", () => {
  const totals = { devices: 100_000 };
  const at = "2026-12-05T07:00:00.000Z";

  it("gives the ramp's own rate, the rate to every device online, and how far that came after the ramp", () => {
    expect(
      rampTimed({ totals, ramp: { firstPowerOnAt: at, lastPowerOnSeconds: 49.98, allOnlineSeconds: 50.41 } }),
    ).toBe(
      "the first device powered on at 2026-12-05T07:00:00.000Z; the last 49.98 s after it, 2,001 a second; " +
        "every device online 50.41 s after it, 1,984 a second, 0.43 s after the last power-on",
    );
  });

  it("says how long a worker held its ramp while it ran behind", () => {
    expect(
      rampTimed({
        totals,
        ramp: { firstPowerOnAt: at, lastPowerOnSeconds: 67.5, allOnlineSeconds: 68.11, heldSeconds: 17.24 },
      }),
    ).toMatch(
      /0\.61 s after the last power-on; a worker held its ramp for up to 17\.24 s while it ran more than 100 ms behind$/,
    );
  });

  it("names the run's own limit for the hold (--ramp-hold)", () => {
    const ramp = { firstPowerOnAt: at, lastPowerOnSeconds: 67.5, allOnlineSeconds: 68.11, heldSeconds: 3.5 };
    expect(rampTimed({ profile: { rampHold: 250 }, totals, ramp })).toMatch(
      /a worker held its ramp for up to 3\.50 s while it ran more than 250 ms behind$/,
    );
    expect(rampLag({ profile: { ...profile, rampHold: 250 }, online: online([]), ramp })).toContain(
      "(a worker held its ramp for up to 3.50 s while it ran more than 250 ms behind, most likely waiting for a core)",
    );
  });

  it("says what was not timed, and nothing for a report without the ramp's times", () => {
    expect(rampTimed({ totals, ramp: { firstPowerOnAt: at } })).toBe(
      "the first device powered on at 2026-12-05T07:00:00.000Z; the last power-on not timed for every shard (a worker lost or of an earlier version, or the run ended first); every device online at once not timed for every shard (a worker lost or of an earlier version, or the run ended first)",
    );
    expect(rampTimed({ totals, ramp: { firstPowerOnAt: at, lastPowerOnSeconds: 0 } })).toBe(
      "the first device powered on at 2026-12-05T07:00:00.000Z; the last 0.00 s after it; every device online at once not timed for every shard (a worker lost or of an earlier version, or the run ended first)",
    );
    expect(rampTimed({ totals })).toBeUndefined();
    expect(
      rampTimed({ totals, rampUntimed: "worker w2's clock is more than a minute off the coordinator's" }),
    ).toBe("not timed: worker w2's clock is more than a minute off the coordinator's");
  });
});

describe("workersCoreWaitShare", () => {
  const run = { startedAt: "2026-12-07T15:00:00.000Z", finishedAt: "2026-12-07T15:01:40.000Z" };

  it("averages over the workers that measured their wait, and is unknown where none did or the run has no length", () => {
    expect(
      workersCoreWaitShare({ ...run, workers: [{ coreWaitSeconds: 30 }, {}, { coreWaitSeconds: 10 }] }),
    ).toBe(0.2);
    expect(workersCoreWaitShare({ ...run, workers: [{}, {}] })).toBeUndefined();
    expect(workersCoreWaitShare({ ...run, workers: [] })).toBeUndefined();
    expect(workersCoreWaitShare({ workers: [{ coreWaitSeconds: 1 }] })).toBeUndefined();
    expect(
      workersCoreWaitShare({ ...run, finishedAt: run.startedAt, workers: [{ coreWaitSeconds: 1 }] }),
    ).toBeUndefined();
  });

  it("never says more than the whole run (a worker's wait counted from its own start)", () => {
    expect(workersCoreWaitShare({ ...run, workers: [{ coreWaitSeconds: 120 }] })).toBe(1);
  });
});
