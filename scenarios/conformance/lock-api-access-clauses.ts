import { expectThat, NotApplicable } from "./clause.ts";
import { done, pollUntil, served } from "./lock-api-asks.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { lockOf, ticketFor } from "./lock-api-passwords.ts";
import { keysOf } from "./lock-api-unlock-clauses.ts";
import { usersV11 } from "./lock-api-user-clauses.ts";

/**
 * L7, an access control device's unlocking methods and records (seed lines 1680-1830, 3178, 3943-4590): the cloud's
 * sync, a key assigned to a user and renamed, the user's list of methods; a remote opening among the records, and
 * the linking of that record with a user.
 */

type Row = Record<string, unknown>;

export const accessClauses: readonly LockClause[] = [
  {
    clause: "L7.14",
    title:
      "opmodes: sync, allocate to a user and rename an access control device's key; the user's list shows it",
    endpoints: [
      "syncOpmodes",
      "listUnassignedKeys",
      "listDeviceUsersV11",
      "allocateOpmodes",
      "renameOpmode",
      "listUserOpmodes",
    ],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi-access-control");
      const codes = "unlock_fingerprint,unlock_password,unlock_card";
      await done(target, "syncOpmodes", { device_id: deviceId }, { body: { codes } });
      const free = (await keysOf(target, "listUnassignedKeys", { device_id: deviceId }))[0];
      const user = (await usersV11(target, deviceId)).records?.find((r) => r.lock_user_id !== 1);
      if (free?.unlock_no === undefined || user === undefined)
        throw new NotApplicable(
          `the access control device ${deviceId} has no free key or no user but its owner`,
        );
      const dpCode = `unlock_${free.unlock_type}`;
      const userId = String(user.user_id);
      const unlock_list = [{ dp_code: dpCode, unlock_sn: free.unlock_no }];
      await done(
        target,
        "allocateOpmodes",
        { device_id: deviceId },
        { body: { user_id: userId, unlock_list } },
      );
      const name = "L7.14 hall";
      const renamed = { dp_code: dpCode, unlock_name: name };
      await done(
        target,
        "renameOpmode",
        { device_id: deviceId, unlock_sn: free.unlock_no },
        { body: renamed },
      );
      const query = { codes: "", unlock_name: "", page_no: 1, page_size: 100 };
      const shows = (rows: Row[]) =>
        rows.some((m) => m.unlock_name === name && Number(m.unlock_sn) === free.unlock_no);
      // The rename travels to the lock; the list shows the name the lock reports: poll as for a delivery.
      const listed = await pollUntil(
        target,
        () => served<Row[]>(target, "listUserOpmodes", { device_id: deviceId, user_id: userId }, { query }),
        shows,
      );
      expectThat(
        shows(listed),
        `${dpCode} ${free.unlock_no} named "${name}" in ${userId}'s list within the poll`,
        JSON.stringify(listed.map((m) => [m.dp_code, m.unlock_sn, m.unlock_name])),
      );
    },
  },
  {
    clause: "L7.15",
    title:
      "records: GET .../records lists a remote opening; POST .../records/{record_id}/actions/allocate links it",
    endpoints: ["passwordFreeOpenDoorV11", "listRecords", "listDeviceUsersV11", "allocateRecord"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi-access-control");
      const { ticket_id } = await ticketFor(target, deviceId);
      await done(
        target,
        "passwordFreeOpenDoorV11",
        { device_id: deviceId },
        { body: { ticket_id, channel_id: 0 } },
      );
      const now = target.clock.now();
      const query = {
        target_standard_dp_codes: "unlock_remote,unlock_password,unlock_fingerprint,unlock_card",
        ...{ start_time: now - 7 * 86_400_000, end_time: now + 3_600_000, page_no: 1, page_size: 100 },
      };
      const read = async () =>
        (await served<{ records?: Row[] }>(target, "listRecords", { device_id: deviceId }, { query }))
          .records ?? [];
      const bindable = (rs: Row[]) => rs.find((r) => r.member_bindable_flag === 1);
      const record = bindable(await pollUntil(target, read, (rs) => bindable(rs) !== undefined));
      if (record === undefined) throw new NotApplicable(`no record of ${deviceId} can be linked with a user`);
      const user = (await usersV11(target, deviceId)).records?.[0];
      if (user === undefined) throw new NotApplicable(`the access control device ${deviceId} lists no user`);
      const recordId = String(record.record_id);
      const userId = String(user.user_id);
      await done(
        target,
        "allocateRecord",
        { device_id: deviceId, record_id: recordId },
        { body: { user_id: userId } },
      );
      const linked = (await read()).find((r) => String(r.record_id) === recordId);
      expectThat(
        String(linked?.user_id) === userId,
        `record ${recordId} linked with ${userId}`,
        JSON.stringify(linked?.user_id),
      );
    },
  },
];
