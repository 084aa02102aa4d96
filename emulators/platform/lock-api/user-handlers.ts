import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";

/** Device and home users, roles, unlocking methods and their assignment, records and their allocation. */
export function userHandlers(_context: LockHandlerContext): LockHandlers {
  return {};
}
