import { LockApiError, missingParameter } from "../../../harness/protocol/lock-api/errors.ts";
import { issueTicket } from "../../../harness/protocol/lock-api/ticket.ts";
import type { LockApiDeps, LockCall, LockHandlers } from "./lock-call.ts";
import { openSealed } from "./sealed-password.ts";
import type { TempPassword, TempPasswordInput } from "./temp-passwords.ts";

/** The body of a create or modify, as the catalogue checked it. */
interface PasswordBody {
  name?: string;
  password: string;
  ticket_id: string;
  effective_time: number;
  invalid_time: number;
  phone?: string | number;
  type?: 0 | 1;
  time_zone?: string;
  schedule_list?: Array<{ effective_time: number; invalid_time: number; working_day: number }>;
}

/** The device of the call: one the platform knows (2010 otherwise). */
export function lockOf(call: LockCall, deps: LockApiDeps): string {
  const deviceId = call.params.device_id ?? "";
  if (deps.store.get(deviceId) === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
  return deviceId;
}

export function passwordIdOf(call: LockCall): number {
  const text = call.params.password_id ?? "";
  const id = Number(text);
  if (!/^\d{1,15}$/.test(text))
    throw new LockApiError("paramIllegal", `password_id: ${JSON.stringify(text)}`, "password_id");
  return id;
}

/** The seed's answer fields of a temporary password; the digits never leave the platform. */
function shown(p: TempPassword) {
  return {
    id: p.id,
    name: p.name,
    phase: p.phase,
    effective_time: p.effectiveTime,
    invalid_time: p.invalidTime,
    ...(p.phone === undefined ? {} : { phone: p.phone }),
    ...(p.timeZone === undefined ? {} : { time_zone: p.timeZone }),
    delivery_status: p.deliveryStatus,
    ...(p.scheduleList === undefined ? {} : { schedule_list: p.scheduleList }),
  };
}

/**
 * The password of a create or modify: the body's other fields checked first (a refused request leaves its ticket
 * unused), then the ticket redeemed and the digits opened (1109/1101 naming the field).
 */
function passwordInput(call: LockCall, deps: LockApiDeps, deviceId: string): TempPasswordInput {
  const body = call.body as PasswordBody;
  const kind = deps.passwords.kindOf(deviceId);
  // Seed: `type` "is required for Zigbee locks".
  if (kind === "zigbee" && body.type === undefined) throw missingParameter("type");
  if (!(body.invalid_time > body.effective_time))
    throw new LockApiError(
      "paramRangeInvalid",
      `invalid_time ${body.invalid_time} is not after effective_time ${body.effective_time}`,
      "invalid_time",
    );
  const sealed = openSealed(call, deps, deviceId, body);
  sealed.spend();
  return {
    name: body.name ?? "",
    code: sealed.digits,
    effectiveTime: body.effective_time,
    invalidTime: body.invalid_time,
    singleUse: body.type === 1,
    ...(body.phone === undefined ? {} : { phone: String(body.phone) }),
    ...(body.time_zone === undefined ? {} : { timeZone: body.time_zone }),
    ...(body.schedule_list === undefined ? {} : { scheduleList: body.schedule_list }),
  };
}

/** A refusal of the book as the API's error. */
export function bookAnswer(answer: ReturnType<LockApiDeps["passwords"]["create"]>): TempPassword {
  if (answer.ok) return answer.password;
  if (answer.reason === "NOT_FOUND") throw new LockApiError("dataNotExist", answer.message, answer.field);
  if (answer.reason === "NOT_SUPPORTED")
    throw new LockApiError("lockTypeNotSupported", answer.message, answer.field);
  throw new LockApiError("paramIllegal", answer.message, answer.field);
}

const ticket = (call: LockCall, deps: LockApiDeps) => {
  const deviceId = lockOf(call, deps);
  const issued = issueTicket(
    deps.tickets.state,
    { deviceId, clientId: call.clientId, secret: call.secret },
    call.now,
    deps.random,
  );
  deps.tickets.state = issued.state;
  return issued.answer;
};

const create = (call: LockCall, deps: LockApiDeps) => {
  const deviceId = lockOf(call, deps);
  return {
    id: bookAnswer(
      deps.passwords.create(deviceId, passwordInput(call, deps, deviceId), Math.floor(call.now / 1000)),
    ).id,
  };
};

/** The temporary passwords: tickets, create (v1.0, v2.0), read, list, modify, freeze, unfreeze, delete. */
export const passwordHandlers: LockHandlers = {
  getPasswordTicket: ticket,
  getSmartLockPasswordTicket: ticket,
  createTempPassword: create,
  createTempPasswordV2: create,
  getTempPassword: (call, deps) => {
    const password = deps.passwords.get(lockOf(call, deps), passwordIdOf(call));
    if (password === undefined)
      throw new LockApiError(
        "dataNotExist",
        `no temporary password ${call.params.password_id}`,
        "password_id",
      );
    return shown(password);
  },
  listTempPasswords: (call, deps) => {
    const deviceId = lockOf(call, deps);
    const nowS = Math.floor(call.now / 1000);
    const valid = (call.query as { valid?: boolean }).valid;
    return deps.passwords
      .list(deviceId)
      .filter((p) => valid !== true || (p.deliveryStatus <= 2 && p.invalidTime > nowS && p.phase !== 0))
      .map((p) => ({ ...shown(p), password_id: p.id }));
  },
  modifyTempPassword: (call, deps) => {
    const deviceId = lockOf(call, deps);
    const id = passwordIdOf(call);
    if (deps.passwords.get(deviceId, id) === undefined)
      throw new LockApiError("dataNotExist", `no temporary password ${id}`, "password_id");
    bookAnswer(deps.passwords.modify(deviceId, id, passwordInput(call, deps, deviceId)));
    return true;
  },
  freezeTempPassword: (call, deps) => {
    bookAnswer(deps.passwords.freeze(lockOf(call, deps), passwordIdOf(call), true));
    return true;
  },
  unfreezeTempPassword: (call, deps) => {
    bookAnswer(deps.passwords.freeze(lockOf(call, deps), passwordIdOf(call), false));
    return true;
  },
  deleteTempPassword: (call, deps) => {
    bookAnswer(deps.passwords.delete(lockOf(call, deps), passwordIdOf(call)));
    return true;
  },
};
