import { describe, expect, it } from "vitest";
import type { DeviceEvent } from "../state-store.ts";
import { RecordLinks, recordsOf } from "./lock-users-records.ts";

const event = (at: number, eventName: string, info: Record<string, string> = {}): DeviceEvent => ({
  kind: "event",
  receivedAt: at,
  body: { eventName, eventInfo: [info] },
});

describe("a lock's records", () => {
  it("are its openings and alarms, numbered by time and place among events of the same time", () => {
    const records = recordsOf([
      event(1_000, "LOCK_OPEN", { TYPE: "PASSWORD", KEY_ID: "2" }),
      event(1_000, "HIJACK", { KEY_ID: "2" }),
      event(2_000, "LOCK_OPEN", { TYPE: "PASSWORD", KEY_ID: "T17" }),
      event(3_000, "LOCK_OPEN", { TYPE: "OFFLINE", KEY_ID: "O5" }),
      event(4_000, "WRONG_CODE"),
      event(5_000, "SOMETHING_ELSE"),
      { kind: "alarm", receivedAt: 6_000, body: { eventName: "LOCK_OPEN" } },
    ]);
    expect(records.map((r) => [r.recordId, r.type, r.dpCode, r.value, r.keyId])).toEqual([
      ["1000-0", "normal", "unlock_password", "2", "2"],
      ["1000-1", "alarm", "hijack", "true", "2"],
      ["2000-0", "normal", "unlock_temporary", "17", undefined],
      ["3000-0", "normal", "unlock_temporary", "5", undefined],
      ["4000-0", "alarm", "alarm_lock", "wrong_password", undefined],
    ]);
  });

  it("are linked with users per lock", () => {
    const links = new RecordLinks();
    links.link("lock-a", "1000-0", "lock-a-u2");
    expect(links.userOf("lock-a", "1000-0")).toBe("lock-a-u2");
    expect(links.userOf("lock-b", "1000-0")).toBeUndefined();
  });
});
