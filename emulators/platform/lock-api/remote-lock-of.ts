import type { LockType } from "../../../harness/protocol/lock-api/endpoints/schema.ts";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { spendTicket } from "../../../harness/protocol/lock-api/ticket.ts";
import type { LockApiDeps, LockCall } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import { lockTypeOf } from "./lock-types.ts";
import type { LockKind } from "./temp-passwords.ts";

/**
 * The lock of a remote-unlock or media call (the server has checked it is known and of a type the endpoint applies
 * to): its lock type, and its kind (how it is reached).
 */
export function remoteLock(
  call: LockCall,
  deps: LockApiDeps,
): { deviceId: string; type: LockType; kind: LockKind } {
  const deviceId = lockOf(call, deps);
  const record = deps.store.get(deviceId);
  if (record === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
  return { deviceId, type: lockTypeOf(record, deps.lockTypes), kind: deps.passwords.kindOf(deviceId) };
}

/**
 * Whether the lock's remote unlocking has switches: only the lock types "Set a switch for a remote unlocking method"
 * applies to (seed line 1949); for the others (an access control device, a lock with video talk ...) the ticket alone
 * authorizes an opening.
 */
export function hasRemoteSwitches(type: LockType): boolean {
  return lockEndpoints.setRemoteUnlockConfig.lockTypes.includes(type);
}

/**
 * A ticket sent without a password (password-free unlocking): checked by the same rules as one that carries a
 * password (issued for this lock, to this client, unused, unexpired: 1109 otherwise). Answers the state with the
 * ticket used; the caller keeps it only once the request is accepted.
 */
export function spendCallTicket(
  deps: LockApiDeps,
  call: LockCall,
  deviceId: string,
  ticketId: string,
): LockApiDeps["tickets"]["state"] {
  const spent = spendTicket(deps.tickets.state, { ticketId, deviceId, clientId: call.clientId }, call.now);
  if (!spent.ok) throw spent.error;
  return spent.value.state;
}

/** 2001 before anything is sent or a ticket is used: the platform holds the lock (or its gateway) as offline. */
export function checkOnline(deps: LockApiDeps, deviceId: string): void {
  const record = deps.store.get(deviceId);
  const gateway = record?.parentId === undefined ? record : deps.store.get(record.parentId);
  if (record?.online !== true || record.unbound || gateway?.online !== true)
    throw new LockApiError("deviceOffline", `lock ${deviceId} is offline`, "device_id");
}
