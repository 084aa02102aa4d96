import { fail, ok, type Result, UsageError } from "../../errors.ts";
import type { Random } from "../../random/random.ts";
import { LockApiError, missingParameter } from "./errors.ts";
import { decryptPassword, encryptTicketKey, type LockKind, TICKET_KEY_LENGTH } from "./password-crypto.ts";

/**
 * Password tickets (seed, "Get a temporary key for password encryption") as pure functions over a state and `now`:
 * - `password-ticket` answers `ticket_id`, `ticket_key` (the key under the client's secret) and `expire_time`, the
 *   seconds left: 360 at issue by default, the seed's sample (the vendor's page for the same call says 5 minutes).
 * - A ticket serves one password, for the device it was issued for, by the client it was issued to, until it expires.
 *   Using it for another device or by another client is 1109 (ticket invalid); so is an unknown ticket.
 * - `redeemTicket` answers the new state with the ticket used; a server that refuses the request for another reason
 *   keeps its old state, so a refused request does not use the ticket up.
 */

export const DEFAULT_TICKET_LIFETIME_MS = 360 * 1000;
/** Ticket ids are 7 letters and digits, as the seed's sample `9wxxoLM`. */
const TICKET_ID_LENGTH = 7;

export interface PasswordTicket {
  readonly ticketId: string;
  readonly deviceId: string;
  readonly clientId: string;
  /** The plain 16-character key. */
  readonly key: string;
  readonly expiresAt: number;
  readonly used: boolean;
}

export interface TicketState {
  readonly lifetimeMs: number;
  readonly tickets: ReadonlyMap<string, PasswordTicket>;
}

/** The `result` of `password-ticket`. */
export interface TicketAnswer {
  ticket_id: string;
  ticket_key: string;
  /** Seconds left. */
  expire_time: number;
}

function checkInstant(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0)
    throw new UsageError("now", `now: expected milliseconds since 1970 (a non-negative integer), got ${now}`);
}

export function ticketState(options: { lifetimeMs?: number } = {}): TicketState {
  const lifetimeMs = options.lifetimeMs ?? DEFAULT_TICKET_LIFETIME_MS;
  if (!Number.isSafeInteger(lifetimeMs) || lifetimeMs <= 0)
    throw new UsageError("lifetimeMs", `lifetimeMs: expected a positive integer, got ${lifetimeMs}`);
  return { lifetimeMs, tickets: new Map() };
}

/** A new ticket for `deviceId`, its key encrypted with the client's secret. */
export function issueTicket(
  state: TicketState,
  request: { deviceId: string; clientId: string; secret: string },
  now: number,
  random: Random,
): { state: TicketState; answer: TicketAnswer; ticket: PasswordTicket } {
  checkInstant(now);
  let ticketId: string;
  do ticketId = random.string(TICKET_ID_LENGTH);
  while (state.tickets.has(ticketId));
  const ticket: PasswordTicket = {
    ticketId,
    deviceId: request.deviceId,
    clientId: request.clientId,
    key: random.string(TICKET_KEY_LENGTH),
    expiresAt: now + state.lifetimeMs,
    used: false,
  };
  const answer: TicketAnswer = {
    ticket_id: ticketId,
    ticket_key: encryptTicketKey(ticket.key, request.secret),
    expire_time: Math.floor(state.lifetimeMs / 1000),
  };
  return { state: { ...state, tickets: new Map(state.tickets).set(ticketId, ticket) }, answer, ticket };
}

export interface TicketUse {
  ticketId: string;
  deviceId: string;
  clientId: string;
  /** The `password` field as sent: hex of the digits under the ticket's key. */
  password: string;
  /** The lock's kind: the password's digit count is checked when given. */
  kind?: LockKind;
}

/**
 * Checks a ticket and opens the password sent with it at `now`: the plain digits and the state with the ticket
 * used, or the first fault: 1100 (no ticket_id), 1109 ticket invalid / expired / used, 1109 or 1101 on `password`.
 */
export function redeemTicket(
  state: TicketState,
  use: TicketUse,
  now: number,
): Result<{ state: TicketState; password: string }, LockApiError> {
  const spent = spendTicket(state, use, now);
  if (!spent.ok) return spent;
  const password = decryptPassword(use.password, spent.value.ticket.key, use.kind);
  if (!password.ok) return password;
  return ok({ state: spent.value.state, password: password.value });
}

/**
 * Checks a ticket sent without a password (password-free unlocking) by the same rules: the ticket and the state with
 * it used, or the first fault: 1100 (no ticket_id), 1109 ticket invalid / expired / used.
 */
export function spendTicket(
  state: TicketState,
  use: Omit<TicketUse, "password" | "kind">,
  now: number,
): Result<{ state: TicketState; ticket: PasswordTicket }, LockApiError> {
  checkInstant(now);
  if (use.ticketId === "") return fail(missingParameter("ticket_id"));
  const ticket = state.tickets.get(use.ticketId);
  const shown = JSON.stringify(use.ticketId.slice(0, 40));
  if (ticket === undefined)
    return fail(
      new LockApiError("ticketInvalid", `ticket_id: not issued (got ${shown})`, "ticket_id", shown),
    );
  if (ticket.deviceId !== use.deviceId)
    return fail(
      new LockApiError(
        "ticketInvalid",
        `ticket_id: issued for device ${ticket.deviceId}, not ${use.deviceId} (got ${shown})`,
        "ticket_id",
        shown,
      ),
    );
  if (ticket.clientId !== use.clientId)
    return fail(
      new LockApiError(
        "ticketInvalid",
        `ticket_id: issued to another client (got ${shown})`,
        "ticket_id",
        shown,
      ),
    );
  if (ticket.used)
    return fail(new LockApiError("ticketUsed", `ticket_id: already used (got ${shown})`, "ticket_id", shown));
  if (now >= ticket.expiresAt)
    return fail(
      new LockApiError(
        "ticketExpired",
        `ticket_id: expired at ${ticket.expiresAt} (now ${now}) (got ${shown})`,
        "ticket_id",
        shown,
      ),
    );
  const tickets = new Map(state.tickets).set(ticket.ticketId, { ...ticket, used: true });
  return ok({ state: { ...state, tickets }, ticket });
}

/** The state without the tickets that have expired at `now`, used or not (a pruned ticket then reads as not issued). */
export function pruneTickets(state: TicketState, now: number): TicketState {
  checkInstant(now);
  return { ...state, tickets: new Map([...state.tickets].filter(([, t]) => now < t.expiresAt)) };
}
