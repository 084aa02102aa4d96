import { LockApiError, missingParameter } from "../../../harness/protocol/lock-api/errors.ts";
import { dynamicCode, type OfflineType } from "../../../harness/protocol/lock-api/offline-code.ts";
import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { advancedHandlers } from "./offline-advanced.ts";
import { type OfflineAnswer, OfflineBook, type OfflinePassword } from "./offline-book.ts";
import { deviceInfo } from "./offline-device.ts";
import { localKeyOf, lockFor } from "./offline-lock.ts";

/** v1.0 `type` (seed lines 1109-1112): 0 multiple, 1 once, 9 a clearing code. */
const v10Types: Readonly<Record<number, OfflineType>> = { 0: "multiple", 1: "once", 9: "clear_all" };

interface V10Body {
  effective_time: number;
  invalid_time: number;
  name?: string;
  type: 0 | 1 | 9;
}

interface V11Body {
  effective_time?: number;
  invalid_time?: number;
  name?: string;
  type?: OfflineType;
  password_id?: string;
}

/** A refusal of the book as the API's error. */
function issued(answer: OfflineAnswer): OfflinePassword {
  if (answer.ok) return answer.password;
  throw new LockApiError(
    answer.reason === "NOT_FOUND" ? "dataNotExist" : "paramIllegal",
    answer.message,
    answer.field,
  );
}

/** Offline (v1.0, v1.1), dynamic and advanced passwords, and the device's information (its local key). */
export function offlineHandlers(context: LockHandlerContext): LockHandlers {
  const book = new OfflineBook();
  return {
    getOfflineTempPassword: (call, deps) => {
      const deviceId = lockFor(call, deps);
      const body = call.body as V10Body;
      const type = v10Types[body.type] as OfflineType;
      const password = issued(
        book.issue(
          deviceId,
          localKeyOf(context, deviceId),
          {
            type,
            ...(type === "multiple"
              ? { effectiveTime: body.effective_time, invalidTime: body.invalid_time }
              : {}),
            ...(body.name === undefined ? {} : { name: body.name }),
          },
          Math.floor(call.now / 1000),
        ),
      );
      return { offline_temp_password: password.code };
    },
    getOfflineTempPasswordV11: (call, deps) => {
      const deviceId = lockFor(call, deps);
      const body = call.body as V11Body;
      // The seed names no default `type`: an absent one is read as multiple, its times then required.
      const type = body.type ?? "multiple";
      if (type === "multiple" && body.effective_time === undefined) throw missingParameter("effective_time");
      if (type === "multiple" && body.invalid_time === undefined) throw missingParameter("invalid_time");
      const password = issued(
        book.issue(
          deviceId,
          localKeyOf(context, deviceId),
          {
            type,
            ...(body.effective_time === undefined ? {} : { effectiveTime: body.effective_time }),
            ...(body.invalid_time === undefined ? {} : { invalidTime: body.invalid_time }),
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.password_id === undefined ? {} : { passwordId: body.password_id }),
          },
          Math.floor(call.now / 1000),
        ),
      );
      return {
        offline_temp_password_id: password.id,
        offline_temp_password: password.code,
        offline_temp_password_name: password.name,
        effective_time: password.effectiveTime,
        invalid_time: password.invalidTime,
      };
    },
    renameOfflineTempPassword: (call, deps) => {
      const deviceId = lockFor(call, deps);
      const name = (call.body as { password_name: string }).password_name;
      issued(book.rename(deviceId, call.params.password_id ?? "", name));
      return true;
    },
    getDynamicPassword: (call, deps) => {
      const deviceId = lockFor(call, deps);
      return { dynamic_password: dynamicCode(localKeyOf(context, deviceId), Math.floor(call.now / 1000)) };
    },
    ...advancedHandlers(context, book),
    getDevice: (call, deps) => deviceInfo(context, call, deps),
  };
}
