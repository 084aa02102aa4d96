import type { LockEndpointId } from "../../../harness/protocol/lock-api/endpoints.ts";
import type { TicketState } from "../../../harness/protocol/lock-api/ticket.ts";
import type { Random } from "../../../harness/random/random.ts";
import type { PlatformContext } from "../context.ts";
import type { StateStore } from "../state-store.ts";
import type { LockPasswords } from "./lock-passwords.ts";
import type { LockTypesByModel } from "./lock-types.ts";

/** One call of the lock API, signed, its token checked and its request parsed by the endpoint's schemas. */
export interface LockCall {
  readonly params: Readonly<Record<string, string>>;
  readonly query: unknown;
  readonly body: unknown;
  readonly clientId: string;
  /** The caller's secret: `ticket_key` is encrypted with it. */
  readonly secret: string;
  /** Milliseconds, on the platform's clock. */
  readonly now: number;
}

/** What the lock API's handlers share: the platform's devices, the passwords on their way to locks, tickets. */
export interface LockApiDeps {
  readonly store: StateStore;
  readonly passwords: LockPasswords;
  readonly tickets: { state: TicketState };
  readonly random: Random;
  /** Each model's lock type: which endpoints apply to its devices (the server checks it before any handler). */
  readonly lockTypes: LockTypesByModel;
}

/** An endpoint's handler: its `result`, or a `LockApiError` thrown. */
export type LockHandler = (call: LockCall, deps: LockApiDeps) => unknown;
export type LockHandlers = Partial<Record<LockEndpointId, LockHandler>>;

/** What a group of handlers that keeps its own state is built from, once per started surface. */
export interface LockHandlerContext {
  readonly platform: PlatformContext;
  readonly passwords: LockPasswords;
}

/** A group of handlers with its own state (users, offline passwords, remote-unlock settings). */
export type LockHandlerGroup = (context: LockHandlerContext) => LockHandlers;
