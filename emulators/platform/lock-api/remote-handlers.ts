import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";

/** Remote unlocking, its settings and password-free door opening; media and view counts. */
export function remoteHandlers(_context: LockHandlerContext): LockHandlers {
  return {};
}
