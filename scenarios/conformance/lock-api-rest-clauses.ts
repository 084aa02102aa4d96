import { decryptTicketKey } from "../../harness/protocol/lock-api/password-crypto.ts";
import { expectThat, NotApplicable } from "./clause.ts";
import { done, pollUntil, served } from "./lock-api-asks.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { createPassword, lockOf, sealed } from "./lock-api-passwords.ts";
import { flaggedLockTypes } from "./lock-api-target.ts";

/**
 * L9, the rest of the catalogue: synchronizing a Zigbee lock's passwords (issue-password, seed line 435), clearing a
 * hotel lock's (rest-password, line 1843), the keepalive stand-by list (line 705), advanced passwords of a hotel lock
 * (lines 2044-2160), the smart-lock password ticket (line 2685), and each named lock's device information (line 4821).
 */

type Advanced = { advanced_type?: string; phase?: number };

export const restClauses: readonly LockClause[] = [
  {
    clause: "L9.1",
    title: "issue-password: POST .../issue-password for a Zigbee lock's password answers true",
    endpoints: ["issuePassword", "createTempPassword"],
    run: async (target) => {
      const deviceId = lockOf(target, "zigbee");
      const id = await createPassword(target, "zigbee");
      await done(target, "issuePassword", { device_id: deviceId }, { body: { password_id: id } });
    },
  },
  {
    clause: "L9.2",
    title:
      "rest-password: POST .../temp-passwords/rest-password clears a hotel lock's temporary passwords (true)",
    endpoints: ["clearTempPasswords", "createTempPassword"],
    run: async (target) => {
      const deviceId = lockOf(target, "zigbee-hotel");
      await createPassword(target, "zigbee-hotel");
      await done(target, "clearTempPasswords", { device_id: deviceId });
    },
  },
  {
    clause: "L9.3",
    title:
      "stand-by: GET .../stand-by-lock-temp-passwords of a keepalive lock lists its new password with has_more",
    endpoints: ["listStandByTempPasswords", "createTempPassword"],
    run: async (target) => {
      const deviceId = lockOf(target, "keepalive-wifi");
      const id = await createPassword(target, "keepalive-wifi");
      const page = await served<{ has_more?: boolean; records?: Array<{ password_id?: number }> }>(
        target,
        "listStandByTempPasswords",
        { device_id: deviceId },
        { query: { page_size: 100 } },
      );
      expectThat(typeof page.has_more === "boolean", "has_more, a boolean", JSON.stringify(page.has_more));
      const ids = (page.records ?? []).map((r) => Number(r.password_id));
      expectThat(ids.includes(id), `password ${id} among the records`, `ids ${JSON.stringify(ids)}`);
    },
  },
  {
    clause: "L9.4",
    title:
      "advanced: POST .../advanced-password (6 digits) answers true; GET reads phase 2 (succeeded) within 25 s",
    endpoints: ["setAdvancedPassword", "getAdvancedPassword"],
    run: async (target) => {
      const deviceId = lockOf(target, "zigbee-hotel");
      const digits = String(100_000 + target.random.int(0, 899_999));
      const body = { ...(await sealed(target, deviceId, digits)), advanced_type: "emergency" };
      await done(target, "setAdvancedPassword", { device_id: deviceId }, { body });
      const read = () =>
        served<Advanced>(
          target,
          "getAdvancedPassword",
          { device_id: deviceId },
          {
            query: { advanced_type: "emergency" },
          },
        );
      const got = await pollUntil(target, read, (a) => a.phase !== 1);
      // phase 1 or 3 after 25 s: the lock did not take it, which the delivery clauses tell of (the API answered).
      if (got.advanced_type === "emergency" && (got.phase === 1 || got.phase === 3))
        throw new NotApplicable(
          `the advanced password did not reach the hotel lock (phase ${got.phase} after 25 s, see L3.2)`,
        );
      expectThat(
        got.advanced_type === "emergency" && got.phase === 2,
        "advanced_type emergency, phase 2 (succeeded)",
        JSON.stringify(got),
      );
      if (target.typeAtLock !== undefined) {
        const { opened } = await target.typeAtLock(deviceId, digits);
        expectThat(
          opened,
          "the emergency password typed at the hotel lock to open it",
          "the lock refused it",
        );
      }
    },
  },
  {
    clause: "L9.5",
    title:
      "ticket: POST /v1.0/smart-lock/.../password-ticket answers ticket_id, expire_time and a ticket_key",
    endpoints: ["getSmartLockPasswordTicket"],
    run: async (target) => {
      const deviceId = Object.values(target.locks)[0];
      if (deviceId === undefined) throw new NotApplicable("the target names no lock (--wifi-lock, ...)");
      const ticket = await served<{ ticket_id: string; ticket_key: string; expire_time: number }>(
        target,
        "getSmartLockPasswordTicket",
        { device_id: deviceId },
      );
      expectThat(
        ticket.ticket_id !== "" && ticket.expire_time > 0,
        "a ticket_id and expire_time > 0",
        JSON.stringify(ticket.expire_time),
      );
      const key = decryptTicketKey(ticket.ticket_key, target.secret);
      expectThat(key.ok, "a ticket_key that opens with the client secret", key.ok ? "" : key.error.message);
    },
  },
  {
    clause: "L9.6",
    title: "device: GET /v1.0/devices/{device_id} answers each named lock's id, online and status",
    endpoints: ["getDevice"],
    run: async (target) => {
      const named = flaggedLockTypes.filter((t) => target.locks[t] !== undefined);
      if (named.length === 0) throw new NotApplicable("the target names no lock (--wifi-lock, ...)");
      for (const type of named) {
        const deviceId = lockOf(target, type);
        const info = await served<Record<string, unknown>>(target, "getDevice", { device_id: deviceId });
        expectThat(info.id === deviceId, `id ${deviceId}`, JSON.stringify(info.id));
        expectThat(
          typeof info.online === "boolean",
          `online, a boolean, for ${deviceId}`,
          JSON.stringify(info.online),
        );
        expectThat(info.status !== undefined, `a status for ${deviceId}`, "none");
      }
    },
  },
];
