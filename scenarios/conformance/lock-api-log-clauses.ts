import { pause } from "./c-probe.ts";
import { ClauseFailure, expectThat } from "./clause.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { call, expectResult, runOf } from "./lock-api-client.ts";
import { createPassword, digitsFor, lockOf, pollDelivery } from "./lock-api-passwords.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * L4, logs (seed lines 1279-1680): open logs (v1.0 in seconds, v1.1 in milliseconds) answer `total` and `logs`, alarm
 * logs (v1.0, v1.1) `total` and `records`, each entry as the tables say; pages of `page_size` hold what `total` says.
 */

type LogId = "listOpenLogs" | "listOpenLogsV11" | "listAlarmLogs" | "listAlarmLogsV11";
const listField: Record<LogId, "logs" | "records"> = {
  listOpenLogs: "logs",
  listOpenLogsV11: "logs",
  listAlarmLogs: "records",
  listAlarmLogsV11: "records",
};

/** A week back to an hour ahead: seconds for v1.0 open logs, milliseconds for v1.1 (seed line 1380). */
function window(target: LockApiTarget, id: LogId): Record<string, number> {
  if (id === "listAlarmLogs" || id === "listAlarmLogsV11") return {};
  const now = target.clock.now();
  const unit = id === "listOpenLogs" ? 1000 : 1;
  return {
    start_time: Math.floor((now - 7 * 86_400_000) / unit),
    end_time: Math.floor((now + 3_600_000) / unit),
  };
}

/** One page of log `id` of the Wi-Fi lock: `total` and the entries, the list field required. */
async function page(target: LockApiTarget, id: LogId, pageNo: number, pageSize: number) {
  const deviceId = lockOf(target, "wifi");
  const what = `${id} page ${pageNo} of ${pageSize} of ${deviceId}`;
  const query = { page_no: pageNo, page_size: pageSize, ...window(target, id) };
  const result = expectResult(await call(target, id, { device_id: deviceId }, { query }), id, what) as Record<
    string,
    unknown
  >;
  const field = listField[id];
  const entries = result[field];
  if (!Number.isInteger(result.total) || !Array.isArray(entries))
    throw new ClauseFailure(
      `expected total and ${field} in ${what} (the seed's table); saw ${Object.keys(result).join(", ") || "neither"}`,
    );
  const total = result.total as number;
  const want = Math.max(0, Math.min(pageSize, total - (pageNo - 1) * pageSize));
  expectThat(entries.length === want, `${want} entries of ${total} on ${what}`, `${entries.length}`);
  return { total, entries: entries as unknown[] };
}

/** The Wi-Fi lock's keypad alarm (smart-lock profile: five wrong codes in a row), typed once per run. */
const WRONG_CODES_FOR_ALARM = 5;

/** Emulated targets: five wrong codes typed at the Wi-Fi lock, so that the alarm logs have an entry to show. */
async function alarms(target: LockApiTarget): Promise<number> {
  if (target.typeAtLock === undefined) return 0;
  const run = runOf(target);
  if (run.alarms === undefined) {
    const deviceId = lockOf(target, "wifi");
    for (let i = 0; i < WRONG_CODES_FOR_ALARM; i++) await target.typeAtLock(deviceId, "0000000");
    await pause(target, 1_000);
    run.alarms = 1;
  }
  return run.alarms;
}

const shapeClause = (clause: string, id: LogId, title: string): LockClause => ({
  clause,
  title,
  endpoints: [id],
  run: async (target) => {
    const typed = listField[id] === "records" ? await alarms(target) : 0;
    const { total } = await page(target, id, 1, 20);
    expectThat(
      total >= typed,
      `total >= ${typed} after five wrong codes typed at the lock`,
      `total ${total}`,
    );
  },
});

/** Emulated targets: a delivered password typed twice at the Wi-Fi lock, so that the pages have openings to split. */
async function openings(target: LockApiTarget): Promise<number> {
  if (target.typeAtLock === undefined) return 0;
  const deviceId = lockOf(target, "wifi");
  const digits = digitsFor(target, "wifi");
  const id = await createPassword(target, "wifi", "v1.0", digits);
  if ((await pollDelivery(target, deviceId, id)).state.delivery_status !== 2) return 0; // L3.1 says why
  // A second apart: two entries that differ in update_time.
  for (let i = 0; i < 2; i++) {
    await target.typeAtLock(deviceId, digits);
    await pause(target, 1_000);
  }
  return 2;
}

export const logClauses: readonly LockClause[] = [
  shapeClause(
    "L4.1",
    "listOpenLogs",
    "open logs: GET /v1.0/.../open-logs (seconds) answers total and logs as the table says",
  ),
  shapeClause(
    "L4.2",
    "listOpenLogsV11",
    "open logs: GET /v1.1/.../open-logs (milliseconds) answers total and logs as the table says",
  ),
  shapeClause(
    "L4.3",
    "listAlarmLogs",
    "alarm logs: GET /v1.0/.../alarm-logs answers total and records as the table says",
  ),
  shapeClause(
    "L4.4",
    "listAlarmLogsV11",
    "alarm logs: GET /v1.1/.../alarm-logs answers total and records as the table says",
  ),
  {
    clause: "L4.5",
    endpoints: ["listOpenLogs", "createTempPassword", "getTempPassword"],
    title:
      "open logs: pages of page_size 1 each hold one entry, the same total, different entries, and none past the last",
    run: async (target) => {
      const typed = await openings(target);
      const first = await page(target, "listOpenLogs", 1, 1);
      expectThat(first.total >= typed, `total >= ${typed} after ${typed} openings`, `total ${first.total}`);
      const second = await page(target, "listOpenLogs", 2, 1);
      expectThat(second.total === first.total, `total ${first.total} on page 2`, `total ${second.total}`);
      if (first.total >= 2)
        expectThat(
          JSON.stringify(first.entries) !== JSON.stringify(second.entries),
          "page 2 another entry than page 1",
          "the same entry",
        );
      await page(target, "listOpenLogs", first.total + 1, 1);
    },
  },
];
