import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";

/** Offline (v1.0, v1.1), dynamic and advanced passwords, and the device's information (its local key). */
export function offlineHandlers(_context: LockHandlerContext): LockHandlers {
  return {};
}
