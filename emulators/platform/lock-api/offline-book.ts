import {
  CLEAR_ALL_HOURS,
  HOUR_S,
  hourOf,
  MAX_WINDOW_HOURS,
  type OfflineType,
  ONCE_HOURS,
  offlineCode,
  offlinePasswordId,
} from "../../../harness/protocol/lock-api/offline-code.ts";

/**
 * The offline passwords a lock-API surface handed out (the cloud keeps their names and windows; the lock needs none
 * of it) and the phase of each advanced password. Pure: the codes come from the shared algorithm
 * (harness/protocol/lock-api/offline-code.ts) under the lock's local key.
 */

export interface OfflinePassword {
  /** 7 digits, derived from the code: the lock names the same id in its open log. */
  readonly id: string;
  readonly deviceId: string;
  readonly type: OfflineType;
  readonly code: string;
  name: string;
  /** Unix seconds, whole hours. */
  readonly effectiveTime: number;
  readonly invalidTime: number;
}

export interface OfflineRequest {
  type: OfflineType;
  /** Unix seconds as the caller sent them (multiple and clear_one). */
  effectiveTime?: number;
  invalidTime?: number;
  name?: string;
  /** clear_one: the id of the multiple password to clear. */
  passwordId?: string;
}

export type OfflineAnswer =
  | { ok: true; password: OfflinePassword }
  | { ok: false; reason: "INVALID_PARAM" | "NOT_FOUND"; field: string; message: string };

export type AdvancedType = "admin" | "emergency";
/** Seed line 2145: 1 being configured, 2 succeeded, 3 failed. */
export type AdvancedPhase = 1 | 2 | 3;

const refuse = (reason: "INVALID_PARAM" | "NOT_FOUND", field: string, message: string) =>
  ({ ok: false, reason, field, message }) as const;

/** Most once (or clear_all) codes of one lock in one hour: the serial has three digits. */
const SERIALS = 1000;

export class OfflineBook {
  readonly #byDevice = new Map<string, OfflinePassword[]>();
  readonly #advanced = new Map<string, AdvancedPhase>();

  /**
   * A new offline password at `nowS` (seed lines 1181-1193): once from the current hour for 6 hours, clear_all for
   * 24; multiple and clear_one over the hours of the times given (clear_one from now for 24 hours when they are
   * absent). Asking again for the code of a window already handed out answers that password.
   */
  issue(deviceId: string, localKey: string, request: OfflineRequest, nowS: number): OfflineAnswer {
    const issued = this.#byDevice.get(deviceId) ?? [];
    const nowHour = hourOf(nowS);
    let startHour = nowHour;
    let hours = request.type === "once" ? ONCE_HOURS : CLEAR_ALL_HOURS;
    let target: OfflinePassword | undefined;
    let serial = 0;
    if (request.type === "once" || request.type === "clear_all") {
      serial = issued.filter((p) => p.type === request.type && p.effectiveTime === nowHour * HOUR_S).length;
      if (serial >= SERIALS)
        return refuse("INVALID_PARAM", "type", `${SERIALS} ${request.type} codes this hour already`);
    } else {
      if (request.type === "clear_one") {
        target = issued.find((p) => p.id === request.passwordId);
        if (target === undefined)
          return refuse("NOT_FOUND", "password_id", `no offline password ${request.passwordId}`);
        if (target.type !== "multiple")
          return refuse(
            "INVALID_PARAM",
            "password_id",
            `${target.id} is a ${target.type} code, not a multiple one`,
          );
      }
      if (request.effectiveTime !== undefined) startHour = hourOf(request.effectiveTime);
      const endHour =
        request.invalidTime === undefined ? startHour + CLEAR_ALL_HOURS : hourOf(request.invalidTime);
      hours = endHour - startHour;
      if (hours < 1 || hours > MAX_WINDOW_HOURS)
        return refuse(
          "INVALID_PARAM",
          "invalid_time",
          `invalid_time ${endHour * HOUR_S} is ${hours} whole hours after effective_time ${startHour * HOUR_S}: expected 1-${MAX_WINDOW_HOURS}`,
        );
    }
    const code = offlineCode(localKey, {
      type: request.type,
      startHour,
      hours,
      serial,
      ...(target === undefined ? {} : { target: target.code }),
    });
    const same = issued.find((p) => p.code === code);
    if (same !== undefined) {
      if (request.name !== undefined) same.name = request.name;
      return { ok: true, password: same };
    }
    const password: OfflinePassword = {
      id: offlinePasswordId(localKey, code),
      deviceId,
      type: request.type,
      code,
      name: request.name ?? "",
      effectiveTime: startHour * HOUR_S,
      invalidTime: (startHour + hours) * HOUR_S,
    };
    this.#byDevice.set(deviceId, [...issued, password]);
    return { ok: true, password };
  }

  get(deviceId: string, id: string): OfflinePassword | undefined {
    return this.#byDevice.get(deviceId)?.find((p) => p.id === id);
  }

  list(deviceId: string): readonly OfflinePassword[] {
    return this.#byDevice.get(deviceId) ?? [];
  }

  rename(deviceId: string, id: string, name: string): OfflineAnswer {
    const password = this.get(deviceId, id);
    if (password === undefined) return refuse("NOT_FOUND", "password_id", `no offline password ${id}`);
    password.name = name;
    return { ok: true, password };
  }

  setAdvanced(deviceId: string, type: AdvancedType, phase: AdvancedPhase): void {
    this.#advanced.set(`${deviceId}/${type}`, phase);
  }

  advanced(deviceId: string, type: AdvancedType): AdvancedPhase | undefined {
    return this.#advanced.get(`${deviceId}/${type}`);
  }
}
