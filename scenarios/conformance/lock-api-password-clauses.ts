import type { LockEndpointId } from "../../harness/protocol/lock-api/endpoints.ts";
import { lockApiErrors } from "../../harness/protocol/lock-api/errors.ts";
import { encryptPassword, passwordDigits } from "../../harness/protocol/lock-api/password-crypto.ts";
import { expectThat, NotApplicable } from "./clause.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { call, expectRefusal, expectResult, type LockAnswer, runOf } from "./lock-api-client.ts";
import {
  createPassword,
  digitsFor,
  lockOf,
  passwordState,
  pollDelivery,
  sealed,
  sharedPassword,
  ticketFor,
  validity,
} from "./lock-api-passwords.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * L2, password tickets and temporary passwords (seed lines 176-1001): the ticket, creation (v1.0 and v2.0) with a
 * ticket-encrypted password, read, list, modify, freeze and unfreeze (Zigbee locks), delete; a ticket serves one
 * password; a password of the wrong digit count is refused. Whether a change reaches the lock is L3's.
 */

/** The catalogue's `Done`: a success whose result is `true`. */
function done(answer: LockAnswer, id: LockEndpointId, what: string): void {
  const result = expectResult(answer, id, what);
  expectThat(result === true, `result true for ${what}`, `result ${JSON.stringify(result)}`);
}

/**
 * A Zigbee password to freeze and unfreeze, made on first use and polled until the lock has it: a password whose
 * creation failed is not there to freeze (L3 tells why), so the clause does not apply.
 */
async function zigbeePassword(target: LockApiTarget): Promise<{ deviceId: string; id: number }> {
  const deviceId = lockOf(target, "zigbee");
  const id = await sharedPassword(target, "zigbee");
  const { state } = await pollDelivery(target, deviceId, id);
  if (state.delivery_status !== 2)
    throw new NotApplicable(
      `password ${id} did not reach the Zigbee lock (delivery_status ${String(state.delivery_status)}, see L3.2)`,
    );
  return { deviceId, id };
}

export const passwordClauses: readonly LockClause[] = [
  {
    clause: "L2.1",
    endpoints: ["getPasswordTicket"],
    title:
      "ticket: POST .../door-lock/password-ticket answers ticket_id, expire_time and a ticket_key that opens with the secret",
    run: async (target) => {
      const ticket = await ticketFor(target, lockOf(target, "wifi"));
      expectThat(ticket.ticket_id !== "", "a ticket_id", "an empty one");
      expectThat(ticket.expire_time > 0, "expire_time > 0 seconds", `expire_time ${ticket.expire_time}`);
    },
  },
  {
    clause: "L2.2",
    endpoints: ["getPasswordTicket", "createTempPassword"],
    title: "create: POST /v1.0/.../temp-password with a ticket-encrypted password answers its id",
    run: async (target) => {
      runOf(target).passwords.set("shared-wifi", await createPassword(target, "wifi", "v1.0"));
    },
  },
  {
    clause: "L2.3",
    endpoints: ["getPasswordTicket", "createTempPasswordV2"],
    title: "create: POST /v2.0/.../temp-password (unnamed) answers its id",
    run: async (target) => {
      await createPassword(target, "wifi", "v2.0");
    },
  },
  {
    clause: "L2.4",
    endpoints: ["getPasswordTicket", "createTempPassword", "getTempPassword"],
    title:
      "get: GET .../temp-password/{password_id} answers the password as created (phase, delivery_status, times)",
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const window = validity(target);
      const digits = digitsFor(target, "wifi");
      const body = { name: "L2.4", ...(await sealed(target, deviceId, digits)), ...window, type: 0 };
      const { id } = expectResult(
        await call(target, "createTempPassword", { device_id: deviceId }, { body }),
        "createTempPassword",
        "a password to read",
      ) as { id: number };
      const state = await passwordState(target, deviceId, Number(id));
      expectThat(Number(state.id) === Number(id), `id ${id}`, `id ${String(state.id)}`);
      for (const field of ["effective_time", "invalid_time"] as const)
        expectThat(
          Number(state[field]) === window[field],
          `${field} ${window[field]} as sent`,
          `${field} ${String(state[field])}`,
        );
      expectThat(state.phase !== undefined, "a phase", "none");
      expectThat(state.delivery_status !== undefined, "a delivery_status", "none");
    },
  },
  {
    clause: "L2.5",
    endpoints: ["listTempPasswords"],
    title: "list: GET .../temp-passwords lists the created password",
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const id = await sharedPassword(target, "wifi");
      const list = expectResult(
        await call(target, "listTempPasswords", { device_id: deviceId }),
        "listTempPasswords",
        `the temporary passwords of ${deviceId}`,
      ) as Array<{ id?: unknown; password_id?: unknown }>;
      const ids = list.map((p) => Number(p.id ?? p.password_id));
      expectThat(ids.includes(id), `password ${id} in the list`, `ids ${JSON.stringify(ids)}`);
    },
  },
  {
    clause: "L2.6",
    endpoints: ["modifyTempPassword", "getTempPassword"],
    title:
      "modify: PUT .../modify-password with a new ticket answers true, and get shows the new invalid_time",
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const id = await sharedPassword(target, "wifi");
      const window = validity(target, 2);
      const body = { ...(await sealed(target, deviceId, digitsFor(target, "wifi"))), ...window, type: 0 };
      done(
        await call(target, "modifyTempPassword", { device_id: deviceId, password_id: id }, { body }),
        "modifyTempPassword",
        `modify of ${id}`,
      );
      const state = await passwordState(target, deviceId, id);
      expectThat(
        Number(state.invalid_time) === window.invalid_time,
        `invalid_time ${window.invalid_time}`,
        `invalid_time ${String(state.invalid_time)}`,
      );
    },
  },
  {
    clause: "L2.7",
    endpoints: ["freezeTempPassword"],
    title: "freeze: PUT .../freeze-password on a Zigbee lock's password answers true",
    run: async (target) => {
      const { deviceId, id } = await zigbeePassword(target);
      done(
        await call(target, "freezeTempPassword", { device_id: deviceId, password_id: id }),
        "freezeTempPassword",
        `freeze of ${id}`,
      );
    },
  },
  {
    clause: "L2.8",
    endpoints: ["unfreezeTempPassword"],
    title: "unfreeze: PUT .../unfreeze-password on a Zigbee lock's password answers true",
    run: async (target) => {
      const { deviceId, id } = await zigbeePassword(target);
      done(
        await call(target, "unfreezeTempPassword", { device_id: deviceId, password_id: id }),
        "unfreezeTempPassword",
        `unfreeze of ${id}`,
      );
    },
  },
  {
    clause: "L2.9",
    endpoints: ["deleteTempPassword"],
    title: "delete: DELETE .../temp-passwords/{password_id} answers true",
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const id = await createPassword(target, "wifi");
      done(
        await call(target, "deleteTempPassword", { device_id: deviceId, password_id: id }),
        "deleteTempPassword",
        `delete of ${id}`,
      );
    },
  },
  {
    clause: "L2.10",
    endpoints: ["getPasswordTicket", "createTempPassword"],
    title: `ticket: a ticket serves one password; a second create with it is refused ${lockApiErrors.ticketUsed.code}`,
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const ticket = await ticketFor(target, deviceId);
      const body = (digits: string) => ({
        name: "L2.10",
        password: encryptPassword(digits, ticket.key),
        password_type: "ticket",
        ticket_id: ticket.ticket_id,
        ...validity(target),
        type: 0,
      });
      expectResult(
        await call(
          target,
          "createTempPassword",
          { device_id: deviceId },
          { body: body(digitsFor(target, "wifi")) },
        ),
        "createTempPassword",
        "the ticket's first password",
      );
      const again = await call(
        target,
        "createTempPassword",
        { device_id: deviceId },
        { body: body(digitsFor(target, "wifi")) },
      );
      expectRefusal(again, lockApiErrors.ticketUsed.code, "a second password with the same ticket");
    },
  },
  {
    clause: "L2.11",
    endpoints: ["createTempPassword"],
    title: `create: a password of the wrong digit count for the lock is refused ${lockApiErrors.passwordDigitsWrong.code}`,
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const short = digitsFor(target, "wifi", passwordDigits.wifi - 1);
      const body = {
        name: "L2.11",
        ...(await sealed(target, deviceId, short)),
        ...validity(target),
        type: 0,
      };
      expectRefusal(
        await call(target, "createTempPassword", { device_id: deviceId }, { body }),
        lockApiErrors.passwordDigitsWrong.code,
        `${short.length} digits on a Wi-Fi lock (${passwordDigits.wifi})`,
      );
    },
  },
];
