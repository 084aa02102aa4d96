import { describe, expect, it } from "vitest";
import { RemoteUnlockBook } from "./remote-unlock-book.ts";

describe("the remote-unlock book", () => {
  it("lists a lock's methods, every switch off until set", () => {
    const book = new RemoteUnlockBook();
    expect(book.methods("z1", "zigbee")).toEqual([
      { remote_unlock_type: "remoteUnlockWithPwd", open: false },
      { remote_unlock_type: "remoteUnlockWithoutPwd", open: false },
    ]);
    expect(book.methods("w1", "wifi")).toEqual([
      { remote_unlock_type: "remoteUnlockWithoutPwd", open: false },
    ]);
    expect(book.isOn("z1", "remoteUnlockWithoutPwd")).toBe(false);
  });

  it("switches a method on and off, per lock", () => {
    const book = new RemoteUnlockBook();
    expect(book.configure("z1", "zigbee", "remoteUnlockWithPwd", true)).toEqual({ ok: true });
    expect(book.isOn("z1", "remoteUnlockWithPwd")).toBe(true);
    expect(book.isOn("z1", "remoteUnlockWithoutPwd")).toBe(false);
    expect(book.isOn("z2", "remoteUnlockWithPwd")).toBe(false);
    book.configure("z1", "zigbee", "remoteUnlockWithPwd", false);
    expect(book.isOn("z1", "remoteUnlockWithPwd")).toBe(false);
  });

  it("refuses a method the lock's kind does not support, naming the field and the value", () => {
    const book = new RemoteUnlockBook();
    const answer = book.configure("w1", "wifi", "remoteUnlockWithPwd", true);
    expect(answer).toMatchObject({ ok: false, reason: "NOT_SUPPORTED" });
    expect(answer.ok ? "" : answer.message).toMatch(/remote_unlock_type: .*\(got remoteUnlockWithPwd\)/);
    expect(book.isOn("w1", "remoteUnlockWithPwd")).toBe(false);
  });

  it("a revocation switches unlocking without a password off and keeps its reason until switched on again", () => {
    const book = new RemoteUnlockBook();
    book.configure("w1", "wifi", "remoteUnlockWithoutPwd", true);
    book.revoke("w1", 1);
    expect(book.isOn("w1", "remoteUnlockWithoutPwd")).toBe(false);
    expect(book.revokedBecause("w1")).toBe(1);
    book.configure("w1", "wifi", "remoteUnlockWithoutPwd", true);
    expect(book.isOn("w1", "remoteUnlockWithoutPwd")).toBe(true);
    expect(book.revokedBecause("w1")).toBeUndefined();
  });
});
