/**
 * The records of a lock (seed line 1680): its openings ("normal") and alarms, read from the events it sent the
 * platform (2032), and their links with users. Pure: the events are passed in.
 */
import type { DeviceEvent } from "../state-store.ts";

export interface LockRecord {
  /** The time the platform received the event and its place among events received at that same time. */
  readonly recordId: string;
  readonly at: number;
  readonly type: "normal" | "alarm";
  /** The standard data-point code and its value (the record's `dps`). */
  readonly dpCode: string;
  readonly value: string;
  /** The lock's key that opened, when a key of its list did. */
  readonly keyId: string | undefined;
}

type Info = Record<string, string>;

/** An opening's code and value as the open logs read it (log-handlers.ts), and the key when one of the list. */
function opening(info: Info): Pick<LockRecord, "dpCode" | "value" | "keyId"> {
  const key = info.KEY_ID ?? "";
  if (info.TYPE === "OFFLINE")
    return { dpCode: "unlock_temporary", value: key.replace(/^O/, ""), keyId: undefined };
  if (info.TYPE === "DYNAMIC")
    return { dpCode: "unlock_dynamic", value: key.replace(/^D/, ""), keyId: undefined };
  if (info.TYPE === "REMOTE") return { dpCode: "unlock_remote", value: "1", keyId: undefined };
  if (/^T\d+$/.test(key)) return { dpCode: "unlock_temporary", value: key.slice(1), keyId: undefined };
  if (/^E\d+$/.test(key)) return { dpCode: "unlock_emergency", value: key.slice(1), keyId: undefined };
  if (info.TYPE === "PASSWORD") return { dpCode: "unlock_password", value: key, keyId: key };
  return { dpCode: "unlock_key", value: key, keyId: undefined };
}

/** The lock's records, oldest first. */
export function recordsOf(events: readonly DeviceEvent[]): LockRecord[] {
  const sameTime = new Map<number, number>();
  return events
    .filter((e) => e.kind === "event")
    .flatMap((e): LockRecord[] => {
      const n = sameTime.get(e.receivedAt) ?? 0;
      sameTime.set(e.receivedAt, n + 1);
      const base = { recordId: `${e.receivedAt}-${n}`, at: e.receivedAt };
      const info = ((e.body.eventInfo as Info[] | undefined)?.[0] ?? {}) as Info;
      switch (e.body.eventName) {
        case "LOCK_OPEN":
          return [{ ...base, type: "normal", ...opening(info) }];
        case "HIJACK":
          return [{ ...base, type: "alarm", dpCode: "hijack", value: "true", keyId: info.KEY_ID }];
        case "WRONG_CODE":
          return [
            { ...base, type: "alarm", dpCode: "alarm_lock", value: "wrong_password", keyId: undefined },
          ];
        default:
          return [];
      }
    });
}

/** Which user each record was linked with by the cloud, per lock. */
export class RecordLinks {
  readonly #links = new Map<string, Map<string, string>>();

  userOf(deviceId: string, recordId: string): string | undefined {
    return this.#links.get(deviceId)?.get(recordId);
  }

  link(deviceId: string, recordId: string, userId: string): void {
    let links = this.#links.get(deviceId);
    if (links === undefined) {
      links = new Map();
      this.#links.set(deviceId, links);
    }
    links.set(recordId, userId);
  }
}
