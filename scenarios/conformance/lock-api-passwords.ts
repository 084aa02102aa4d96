import { type LockType, lockTypeLabels } from "../../harness/protocol/lock-api/endpoints.ts";
import {
  decryptTicketKey,
  encryptPassword,
  passwordDigits,
} from "../../harness/protocol/lock-api/password-crypto.ts";
import { pause } from "./c-probe.ts";
import { ClauseFailure, NotApplicable } from "./clause.ts";
import { call, expectResult, runOf } from "./lock-api-client.ts";
import { type LockApiTarget, lockFlagOf } from "./lock-api-target.ts";

/** What the password clauses share: the locks, tickets, sealed passwords, creation, and the caller's poll. */

/** A lock type the target may name (`wifi`, `zigbee`, `keepalive-wifi`, ...). */
export type Kind = LockType;

/** The target's lock of `kind`; the clause is not applicable without one, naming the option that names it. */
export function lockOf(target: LockApiTarget, kind: Kind): string {
  const id = target.locks[kind];
  if (id === undefined)
    throw new NotApplicable(`the target names no ${lockTypeLabels[kind]} (${lockFlagOf(kind)})`);
  return id;
}

/** Seed line 244: 7 digits on Wi-Fi locks (of every kind), 6 on Zigbee (hotel too) and Bluetooth locks. */
export function digitsOf(kind: Kind): number {
  if (kind === "zigbee" || kind === "zigbee-hotel") return passwordDigits.zigbee;
  if (kind === "bluetooth" || kind === "bluetooth-gateway") return passwordDigits.bluetooth;
  return passwordDigits.wifi;
}

/** Fresh digits of the lock's length, a different password each call (no clash between the suite's passwords). */
export function digitsFor(target: LockApiTarget, kind: Kind, length = digitsOf(kind)): string {
  const run = runOf(target);
  run.digits++;
  const serial = String(run.digits).padStart(3, "0");
  let text = serial;
  while (text.length < length) text = `${target.random.int(1, 9)}${text}`;
  return text.slice(-length);
}

/** A ticket for `deviceId` (seed line 176), and its key opened with the secret. */
export async function ticketFor(
  target: LockApiTarget,
  deviceId: string,
): Promise<{ ticket_id: string; key: string; expire_time: number }> {
  const result = expectResult(
    await call(target, "getPasswordTicket", { device_id: deviceId }),
    "getPasswordTicket",
    `the password ticket of ${deviceId}`,
  ) as { ticket_id: string; ticket_key: string; expire_time: number };
  const key = decryptTicketKey(result.ticket_key, target.secret);
  if (!key.ok)
    throw new ClauseFailure(
      `expected a ticket_key that opens with the client secret (AES-256-ECB, hex); saw ${key.error.message}`,
    );
  return { ticket_id: result.ticket_id, key: key.value, expire_time: result.expire_time };
}

/** The `password`, `password_type` and `ticket_id` of a create or modify (seed line 239). */
export async function sealed(target: LockApiTarget, deviceId: string, digits: string) {
  const ticket = await ticketFor(target, deviceId);
  return {
    password: encryptPassword(digits, ticket.key),
    password_type: "ticket",
    ticket_id: ticket.ticket_id,
  };
}

/** An hour of validity from a minute ago, in seconds on the target's time. */
export function validity(target: LockApiTarget, hours = 1): { effective_time: number; invalid_time: number } {
  const nowS = Math.floor(target.clock.now() / 1000);
  return { effective_time: nowS - 60, invalid_time: nowS + hours * 3600 };
}

/** A new temporary password on the lock of `kind` (v1.0, or v2.0 without a name): its id. */
export async function createPassword(
  target: LockApiTarget,
  kind: Kind,
  version: "v1.0" | "v2.0" = "v1.0",
  digits = digitsFor(target, kind),
): Promise<number> {
  const deviceId = lockOf(target, kind);
  const id = version === "v1.0" ? "createTempPassword" : "createTempPasswordV2";
  const body = {
    ...(version === "v1.0" ? { name: `hilfarm suite ${runOf(target).digits}` } : {}),
    ...(await sealed(target, deviceId, digits)),
    ...validity(target),
    type: 0,
  };
  const result = expectResult(
    await call(target, id, { device_id: deviceId }, { body }),
    id,
    `a ${version} temporary password on the ${kind} lock ${deviceId}`,
  ) as { id: number | string };
  return Number(result.id);
}

/** The password of `kind` the clauses share, made on first use. */
export async function sharedPassword(target: LockApiTarget, kind: Kind): Promise<number> {
  const run = runOf(target);
  const key = `shared-${kind}`;
  const known = run.passwords.get(key);
  if (known !== undefined) return known;
  const id = await createPassword(target, kind);
  run.passwords.set(key, id);
  return id;
}

/** A password as `getTempPassword` answers it. */
export interface PasswordState {
  id?: number | string;
  phase?: number;
  delivery_status?: number;
  effective_time?: number | string;
  invalid_time?: number | string;
}

export async function passwordState(
  target: LockApiTarget,
  deviceId: string,
  id: number,
): Promise<PasswordState> {
  return expectResult(
    await call(target, "getTempPassword", { device_id: deviceId, password_id: id }),
    "getTempPassword",
    `temporary password ${id} of ${deviceId}`,
  ) as PasswordState;
}

/** Seed, "Create passwords": the caller polls for at most 25 s. */
export const DELIVERY_POLL_MS = 25_000;
const POLL_EVERY_MS = 1_000;

/**
 * The caller's poll: `getTempPassword` every second until `delivery_status` leaves 1 (configuring) or 25 s have
 * passed on the target's time; the last state and when it was read.
 */
export async function pollDelivery(
  target: LockApiTarget,
  deviceId: string,
  id: number,
): Promise<{ state: PasswordState; afterMs: number }> {
  const start = target.clock.now();
  for (;;) {
    const state = await passwordState(target, deviceId, id);
    const afterMs = target.clock.now() - start;
    if (state.delivery_status !== 1 || afterMs >= DELIVERY_POLL_MS) return { state, afterMs };
    await pause(target, Math.min(POLL_EVERY_MS, DELIVERY_POLL_MS - afterMs));
  }
}
