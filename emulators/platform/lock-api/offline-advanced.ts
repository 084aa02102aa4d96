import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { KEY_RESOURCE } from "./lock-passwords.ts";
import type { AdvancedType, OfflineBook } from "./offline-book.ts";
import { lockFor } from "./offline-lock.ts";
import { openSealed } from "./sealed-password.ts";

/**
 * The lock's key id of an advanced password: the admin password is a plain password of the lock (open log
 * `unlock_password`), the emergency one is named `E` (open log `unlock_emergency`, seed line 1337).
 */
export const advancedKeyIds: Readonly<Record<AdvancedType, string>> = { admin: "901", emergency: "E902" };

interface AdvancedBody {
  password: string;
  ticket_id: string;
  advanced_type: AdvancedType;
}

/**
 * Advanced passwords of a Zigbee lock for hotel use (seed lines 2044-2160): the 6 digits, opened with the ticket,
 * go to the lock as a KEY_LIST entry (2031 through its gateway), and `phase` says how that went: 1 on the way, 2 the
 * lock took it, 3 it did not (refused, offline, no answer).
 */
export function advancedHandlers(context: LockHandlerContext, book: OfflineBook): LockHandlers {
  const deliver = async (deviceId: string, type: AdvancedType, code: string) => {
    let ok = false;
    try {
      const { result } = await context.platform.operations.manageResources(deviceId, [
        {
          serialId: "0",
          resourceSerial: [
            {
              resourceName: KEY_RESOURCE,
              resourceInfo: [
                {
                  MODE: "1",
                  KEY_ID: advancedKeyIds[type],
                  KEY_TYPE: "2",
                  KEY_NAME: `${type} password`,
                  KEY_CODE: code,
                },
              ],
            },
          ],
        },
      ]);
      ok = result === 0;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      context.platform.logger.info(
        { deviceId, advancedType: type, reason },
        "advanced password not delivered",
      );
    }
    book.setAdvanced(deviceId, type, ok ? 2 : 3);
  };
  return {
    setAdvancedPassword: (call, deps) => {
      const deviceId = lockFor(call, deps);
      const _kind = deps.passwords.kindOf(deviceId);
      const body = call.body as AdvancedBody;
      // Seed line 2050: six digits, as a Zigbee lock's passwords.
      const sealed = openSealed(call, deps, deviceId, body);
      sealed.spend();
      book.setAdvanced(deviceId, body.advanced_type, 1);
      void deliver(deviceId, body.advanced_type, sealed.digits);
      return true;
    },
    getAdvancedPassword: (call, deps) => {
      const deviceId = lockFor(call, deps);
      const type = (call.query as { advanced_type: AdvancedType }).advanced_type;
      const phase = book.advanced(deviceId, type);
      if (phase === undefined)
        throw new LockApiError("dataNotExist", `no ${type} password set for ${deviceId}`, "advanced_type");
      return { advanced_type: type, phase };
    },
  };
}
