import type { LoadReport } from "./load-report.ts";
import { RAMP_HOLD_LATE_MS, type RampHold } from "./ramp-pacing.ts";

/** Behind the ramp by more than this many seconds of it: as long as a device waits for an answer (5.2). */
const LAG_NOTABLE_S = 10;

const n = (value: number) => Math.round(value).toLocaleString("en-US");
const seconds = (s: number) => `${s.toFixed(2)} s`;
const perSecond = (devices: number, s: number) => (s > 0 ? `, ${n(devices / s)} a second` : "");
/**
 * The longest any worker held its ramp while it ran behind (ramp-pacing.ts), as every line of a report says it, with
 * the run's limit. A report of an earlier version gives none, and a run whose hold was off can have held only in a
 * worker of an earlier version, which ignores the setting: both held at 100 ms.
 */
export const rampHeld = (heldSeconds: number, hold: RampHold | undefined) =>
  `a worker held its ramp for up to ${seconds(heldSeconds)} while it ran more than ${hold === undefined || hold === "off" ? RAMP_HOLD_LATE_MS : hold} ms behind`;
/** Shards timed by clocks of several machines can put every device online before the last power-on. */
const afterLast = (all: number, last: number) =>
  all >= last
    ? `${seconds(all - last)} after the last power-on`
    : `${seconds(last - all)} before the last power-on by the workers' clocks, which disagree`;
/**
 * How much of the run the workers' main threads waited for a core, on average over the workers that said (Linux's
 * schedstat, `coreWaitSeconds`); undefined where none did.
 */
export function workersCoreWaitShare(report: {
  startedAt?: string;
  finishedAt?: string;
  workers?: ReadonlyArray<Pick<LoadReport["workers"][number], "coreWaitSeconds">>;
}): number | undefined {
  const runSeconds = (Date.parse(report.finishedAt ?? "") - Date.parse(report.startedAt ?? "")) / 1000;
  const waits = (report.workers ?? []).flatMap((w) => w.coreWaitSeconds ?? []);
  if (!(runSeconds > 0) || waits.length === 0) return undefined;
  return Math.min(1, waits.reduce((sum, wait) => sum + wait, 0) / waits.length / runSeconds);
}

/** Why a worker held its ramp: the wait for a core its workers measured where they did, else the likely reason. */
function whyHeld(share: number | undefined): string {
  return share === undefined
    ? "most likely waiting for a core"
    : `its workers' main threads waiting for a core ${Math.round(share * 100)} % of the run`;
}

const untimed = "not timed for every shard (a worker lost or of an earlier version, or the run ended first)";

/**
 * How the devices came online against the ramp asked: undefined when they kept up (fewer than 10 s of ramp behind
 * it) or the run ended first; otherwise how far behind, at what rate the platform was tested, and whose the delay was
 * where the report's `ramp` tells (the farm powering devices on late, or the logins after the last power-on). Without
 * it, judged from the once-a-second samples of devices online, counted from the run's start.
 */
export function rampLag(report: {
  profile: Pick<LoadReport["profile"], "devices" | "rampPerSecond" | "rampHold">;
  online: LoadReport["online"];
  ramp?: LoadReport["ramp"];
  startedAt?: string;
  finishedAt?: string;
  workers?: ReadonlyArray<Pick<LoadReport["workers"][number], "coreWaitSeconds">>;
}): string | undefined {
  const { devices, rampPerSecond } = report.profile;
  if (!(rampPerSecond > 0) || devices <= 0) return undefined;
  const rampSeconds = devices / rampPerSecond;
  const asked = `the ramp asked ${n(rampPerSecond)} devices a second for ${n(rampSeconds)} s`;
  const advice = "ask a slower ramp, or give the farm more cores";
  const all = report.ramp?.allOnlineSeconds;
  const powered = report.ramp?.lastPowerOnSeconds;
  if (all !== undefined && powered !== undefined) {
    if (all <= rampSeconds + LAG_NOTABLE_S) return undefined;
    const held = report.ramp?.heldSeconds;
    const farmLate =
      powered > rampSeconds + 1
        ? `, ${seconds(powered - rampSeconds)} late (${held === undefined ? "on one machine most likely its workers waiting for a core, or a shard started again on a spare worker" : `${rampHeld(held, report.profile.rampHold)}, ${whyHeld(workersCoreWaitShare(report))}`})`
        : "";
    const loginsLate =
      all > powered + 1 ? " (the logins waited for the farm's processes or the platform)" : "";
    return (
      `${asked}; the farm powered them on in ${seconds(powered)}${perSecond(devices, powered)}${farmLate}, and ` +
      `every device was online ${seconds(all)} after the first power-on, ${afterLast(all, powered)}${loginsLate}: ` +
      `the platform was tested at ${n(devices / all)} logins a second, not ${n(rampPerSecond)}; ${advice}`
    );
  }
  const atEnd = report.online.find((p) => p.t >= rampSeconds);
  if (atEnd === undefined || atEnd.online >= devices - LAG_NOTABLE_S * rampPerSecond) return undefined;
  const allAt = report.online.find((p) => p.online >= devices);
  const peak = Math.max(0, ...report.online.map((p) => p.online));
  return (
    `${asked}; when it ended (${atEnd.t} s) ` +
    `${n(atEnd.online)} of ${n(devices)} were online, ${n(atEnd.online / Math.max(1, atEnd.t))} a second, and ` +
    `${allAt === undefined ? `at most ${n(peak)} ever were` : `all were at ${allAt.t} s`}: the logins waited for the ` +
    `farm's processes or the platform, so the platform was not tested at that rate; ${advice}`
  );
}

/**
 * The ramp as the workers' clocks timed it (load-report.ts `ramp`): from the first power-on to the last, and to every
 * device online. Exact where the once-a-second samples of `online` bound it only to a second either side.
 */
export function rampTimed(report: {
  profile?: Pick<LoadReport["profile"], "rampHold">;
  totals: Pick<LoadReport["totals"], "devices">;
  ramp?: LoadReport["ramp"];
  rampUntimed?: string;
}): string | undefined {
  const { ramp } = report;
  if (ramp === undefined)
    return report.rampUntimed === undefined ? undefined : `not timed: ${report.rampUntimed}`;
  const { devices } = report.totals;
  const { lastPowerOnSeconds: last, allOnlineSeconds: all, heldSeconds: held } = ramp;
  const powered =
    last === undefined
      ? `the last power-on ${untimed}`
      : `the last ${seconds(last)} after it${perSecond(devices, last)}`;
  const online =
    all === undefined
      ? `every device online at once ${untimed}`
      : `every device online ${seconds(all)} after it${perSecond(devices, all)}${last === undefined ? "" : `, ${afterLast(all, last)}`}`;
  const holding = held === undefined ? "" : `; ${rampHeld(held, report.profile?.rampHold)}`;
  return `the first device powered on at ${ramp.firstPowerOnAt}; ${powered}; ${online}${holding}`;
}
