import {
  HOUR_S,
  OFFLINE_DIGITS,
  ONCE_HOURS,
  offlineTypeNumber,
} from "../../harness/protocol/lock-api/offline-code.ts";
import { expectThat } from "./clause.ts";
import { nowS, served } from "./lock-api-asks.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { lockOf } from "./lock-api-passwords.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * L6, offline and dynamic passwords (seed lines 1046-1262): v1.0 and v1.1 offline passwords answer a code of 10 digits
 * (the seed's example, line 1220), v1.1 with its id, name and window rounded down to the hour (lines 1181-1193); a
 * keepalive lock's offline password can be renamed; a dynamic password is digits. On emulated targets the code typed
 * at the lock opens it (and a once code opens once).
 */

interface V11 {
  offline_temp_password_id?: string;
  offline_temp_password: string;
  offline_temp_password_name?: string;
  effective_time?: number;
  invalid_time?: number;
}

const offlineCode = new RegExp(`^\\d{${OFFLINE_DIGITS}}$`);

/** The code has the documented 10 digits. hilfarm's reading (offline-code.ts) leads with the type's number. */
function expectOfflineCode(target: LockApiTarget, code: string, type: keyof typeof offlineTypeNumber): void {
  expectThat(
    offlineCode.test(code),
    `an offline_temp_password of ${OFFLINE_DIGITS} digits`,
    `${code.length} characters`,
  );
  if (target.capabilities.has("platform-internals"))
    expectThat(
      code.startsWith(String(offlineTypeNumber[type])),
      `a ${type} code leading with ${offlineTypeNumber[type]} (offline-code.ts)`,
      `one leading with ${code[0]}`,
    );
}

/** Emulated targets: `code` typed at the lock opens it (or, with `opens` false, is refused). */
async function typed(target: LockApiTarget, deviceId: string, code: string, opens = true): Promise<void> {
  if (target.typeAtLock === undefined) return;
  const { opened } = await target.typeAtLock(deviceId, code);
  expectThat(
    opened === opens,
    `the code typed at ${deviceId} ${opens ? "to open it" : "to be refused"}`,
    opened ? "the lock opened" : "the lock refused it",
  );
}

/** A v1.1 offline password of `type` on `deviceId`, with the hour the call was made in (either side of the call). */
async function v11(target: LockApiTarget, deviceId: string, body: Record<string, unknown>) {
  const before = Math.floor(nowS(target) / HOUR_S);
  const result = await served<V11>(target, "getOfflineTempPasswordV11", { device_id: deviceId }, { body });
  const after = Math.floor(nowS(target) / HOUR_S);
  return { result, hours: [before, after] };
}

export const offlineClauses: readonly LockClause[] = [
  {
    clause: "L6.1",
    title:
      "offline v1.1: a once password answers its id, its name, 10 digits, from the hour of the call for 6 hours",
    endpoints: ["getOfflineTempPasswordV11"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const { result, hours } = await v11(target, deviceId, { type: "once", name: "L6.1" });
      expectOfflineCode(target, result.offline_temp_password, "once");
      expectThat((result.offline_temp_password_id ?? "") !== "", "an offline_temp_password_id", "none");
      expectThat(
        result.offline_temp_password_name === "L6.1",
        "the name L6.1 as sent",
        `${result.offline_temp_password_name}`,
      );
      const effective = Number(result.effective_time);
      expectThat(
        hours.some((h) => effective === h * HOUR_S) &&
          Number(result.invalid_time) === effective + ONCE_HOURS * HOUR_S,
        `effective_time at the hour of the call, invalid_time ${ONCE_HOURS} hours later (seed lines 1181, 1185)`,
        `effective_time ${result.effective_time}, invalid_time ${result.invalid_time}`,
      );
      await typed(target, deviceId, result.offline_temp_password);
      await typed(target, deviceId, result.offline_temp_password, false);
    },
  },
  {
    clause: "L6.2",
    title: "offline v1.1: a multiple password on a Zigbee lock answers its window rounded down to the hour",
    endpoints: ["getOfflineTempPasswordV11"],
    run: async (target) => {
      const deviceId = lockOf(target, "zigbee");
      const from = nowS(target);
      const until = from + 3 * HOUR_S + 1_234;
      const { result } = await v11(target, deviceId, {
        type: "multiple",
        effective_time: from,
        invalid_time: until,
      });
      expectOfflineCode(target, result.offline_temp_password, "multiple");
      const want = { effective_time: from - (from % HOUR_S), invalid_time: until - (until % HOUR_S) };
      expectThat(
        Number(result.effective_time) === want.effective_time &&
          Number(result.invalid_time) === want.invalid_time,
        `effective_time ${want.effective_time} and invalid_time ${want.invalid_time} (seed lines 1182, 1187)`,
        `${result.effective_time} and ${result.invalid_time}`,
      );
      await typed(target, deviceId, result.offline_temp_password);
      await typed(target, deviceId, result.offline_temp_password);
    },
  },
  {
    clause: "L6.3",
    title: "offline v1.0: POST /v1.0/.../offline-temp-password answers an offline_temp_password of 10 digits",
    endpoints: ["getOfflineTempPassword"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const hour = Math.floor(nowS(target) / HOUR_S);
      const body = {
        type: 0,
        lang: "en",
        name: "L6.3",
        effective_time: hour * HOUR_S,
        invalid_time: (hour + 2) * HOUR_S,
      };
      const result = await served<{ offline_temp_password: string }>(
        target,
        "getOfflineTempPassword",
        { device_id: deviceId },
        { body },
      );
      expectOfflineCode(target, result.offline_temp_password, "multiple");
      await typed(target, deviceId, result.offline_temp_password);
    },
  },
  {
    clause: "L6.4",
    title: "offline rename: PUT .../offline-temp-password/{password_id} of a keepalive lock answers true",
    endpoints: ["getOfflineTempPasswordV11", "renameOfflineTempPassword"],
    run: async (target) => {
      const deviceId = lockOf(target, "keepalive-wifi");
      const window = { effective_time: nowS(target), invalid_time: nowS(target) + 2 * HOUR_S };
      const body = { type: "multiple", name: "L6.4", ...window };
      const { result } = await v11(target, deviceId, body);
      const id = result.offline_temp_password_id ?? "";
      expectThat(/^\d+$/.test(id), "an offline_temp_password_id of digits to rename", JSON.stringify(id));
      const renamed = await served<unknown>(
        target,
        "renameOfflineTempPassword",
        { device_id: deviceId, password_id: id },
        { body: { password_name: "L6.4 renamed" } },
      );
      expectThat(renamed === true, "result true for the rename", JSON.stringify(renamed));
      // The same window again is the same password: where the target answers the same id, it bears the new name.
      const again = (await v11(target, deviceId, { ...body, name: undefined })).result;
      if (again.offline_temp_password_id === id)
        expectThat(
          again.offline_temp_password_name === "L6.4 renamed",
          `password ${id} named "L6.4 renamed"`,
          JSON.stringify(again.offline_temp_password_name),
        );
    },
  },
  {
    clause: "L6.5",
    title:
      "dynamic: GET .../dynamic-password answers a dynamic_password of digits (a Wi-Fi lock, a Zigbee one if named)",
    endpoints: ["getDynamicPassword"],
    run: async (target) => {
      // The Wi-Fi lock's is required; the Zigbee lock's too when the target names one.
      const kinds = target.locks.zigbee === undefined ? (["wifi"] as const) : (["wifi", "zigbee"] as const);
      for (const kind of kinds) {
        const deviceId = lockOf(target, kind);
        const { dynamic_password: code } = await served<{ dynamic_password: string }>(
          target,
          "getDynamicPassword",
          { device_id: deviceId },
        );
        expectThat(
          /^\d+$/.test(code),
          `a dynamic_password of digits from ${deviceId}`,
          `${code.length} characters`,
        );
        await typed(target, deviceId, code);
      }
    },
  },
];
