import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LockUserBook, memberIdOf, ownerIdOf } from "./lock-users.ts";
import { dpCodeOf, KEY_TYPES, keyTypeOf, unlockTypeOf } from "./lock-users-types.ts";

const LOCK = "lock-a";
const key = (id: string, type: string, extra: Record<string, string> = {}) => ({
  KEY_ID: id,
  KEY_TYPE: type,
  KEY_NAME: `key ${id}`,
  ...extra,
});
const guest = { nickName: "guest", sex: 2 as const };

describe("the users' book of a lock", () => {
  it("starts with the lock's home: its owner (an administrator) and a member, ids made from the lock's", () => {
    const book = new LockUserBook();
    expect(book.users(LOCK)).toEqual([
      { id: ownerIdOf(LOCK), lockUserId: 1, type: "home", role: "admin", nickName: "owner" },
      { id: memberIdOf(LOCK), lockUserId: 2, type: "home", role: "normal", nickName: "member" },
    ]);
    expect(new LockUserBook().users(LOCK)).toEqual(book.users(LOCK));
    expect(book.deviceUser(LOCK, ownerIdOf(LOCK))).toMatchObject({ ok: false, reason: "NOT_ALLOWED" });
    expect(book.users("lock-b")[0]?.id).toBe("lock-b-u1");
  });

  it("adds device users with the next number, modifies and deletes them", () => {
    const book = new LockUserBook();
    const a = book.addDeviceUser(LOCK, guest);
    const b = book.addDeviceUser(LOCK, { nickName: "cook", sex: 1, height: 180 });
    expect([a.id, a.lockUserId, b.id, b.lockUserId]).toEqual([`${LOCK}-u3`, 3, `${LOCK}-u4`, 4]);
    expect(book.modifyDeviceUser(LOCK, a.id, { nickName: "aunt", sex: 2 })).toMatchObject({
      ok: true,
      value: { nickName: "aunt" },
    });
    expect(book.deleteDeviceUser(LOCK, a.id).ok).toBe(true);
    expect(book.deleteDeviceUser(LOCK, a.id)).toMatchObject({
      ok: false,
      reason: "NOT_FOUND",
      field: "user_id",
    });
    expect(book.users(LOCK).map((u) => u.id)).toEqual([ownerIdOf(LOCK), memberIdOf(LOCK), b.id]);
    expect(book.absent(LOCK)).toEqual([{ user_id: a.id, user_type: 20, lock_user_id: 3 }]);
  });

  it("changes roles and validity periods of any user but the owner", () => {
    const book = new LockUserBook();
    const member = memberIdOf(LOCK);
    expect(book.setRole(LOCK, member, "admin")).toMatchObject({ ok: true, value: { role: "admin" } });
    expect(book.setRole(LOCK, ownerIdOf(LOCK), "normal")).toMatchObject({ ok: false, reason: "NOT_ALLOWED" });
    expect(book.setRole(LOCK, `${LOCK}-u9`, "normal")).toMatchObject({ ok: false, reason: "NOT_FOUND" });
    const period = { permanent: false, effectiveTime: 100, expiredTime: 200, details: [] };
    expect(book.setSchedule(LOCK, member, period)).toMatchObject({ ok: true, value: { operate: "ADD" } });
    expect(book.setSchedule(LOCK, member, period)).toMatchObject({
      ok: true,
      value: { operate: "MODIFY", delivery: "ONGOING", effectiveTime: 100 },
    });
    expect(book.user(LOCK, member)?.schedule?.expiredTime).toBe(200);
    expect(book.setSchedule(LOCK, ownerIdOf(LOCK), period)).toMatchObject({
      ok: false,
      reason: "NOT_ALLOWED",
    });
  });

  it("removes users all or none, keeps them as absent users, and gives back the keys that were theirs", () => {
    const book = new LockUserBook();
    const member = memberIdOf(LOCK);
    const guestId = book.addDeviceUser(LOCK, guest).id;
    book.assign(LOCK, member, "2");
    book.assign(LOCK, guestId, "3");
    book.assign(LOCK, ownerIdOf(LOCK), "1");
    expect(book.deleteUsers(LOCK, [member, `${LOCK}-u9`])).toMatchObject({ ok: false, reason: "NOT_FOUND" });
    expect(book.deleteUsers(LOCK, [member, ownerIdOf(LOCK)])).toMatchObject({
      ok: false,
      reason: "NOT_ALLOWED",
    });
    expect(book.users(LOCK)).toHaveLength(3);
    expect(book.deleteUsers(LOCK, [member, guestId, member])).toEqual({ ok: true, value: ["2", "3"] });
    expect(book.absent(LOCK)).toEqual([
      { user_id: member, user_type: 20, lock_user_id: 2 },
      { user_id: guestId, user_type: 20, lock_user_id: 3 },
    ]);
    const keys = book.keys(LOCK, [key("1", "1"), key("2", "2"), key("3", "1")]);
    expect(keys.map((k) => k.userId)).toEqual([ownerIdOf(LOCK), undefined, undefined]);
  });

  it("tells a key allocated to its user from one enrolled for them", () => {
    const book = new LockUserBook();
    const entries = [key("1", "1")];
    book.assign(LOCK, memberIdOf(LOCK), "1");
    expect(book.keys(LOCK, entries)[0]).toMatchObject({ userId: memberIdOf(LOCK), allocated: true });
    book.startEnrollment(LOCK, entries, ownerIdOf(LOCK), "card");
    book.enrolled(LOCK, "card", true);
    expect(book.keys(LOCK, [...entries, key("2", "3")])[1]).toMatchObject({
      userId: ownerIdOf(LOCK),
      allocated: false,
    });
  });

  it("reads unlocking methods from the lock's keys: numbered keys of a known type, temporary passwords left out", () => {
    const book = new LockUserBook();
    const entries = [key("3", "2", { HIJACK: "1" }), key("1", "1"), key("T1001", "2"), key("9", "7")];
    expect(book.keys(LOCK, entries).map((k) => [k.no, k.type, k.hijack, k.userId])).toEqual([
      [1, "fingerprint", false, undefined],
      [3, "password", true, undefined],
    ]);
  });

  it("maps KEY_TYPE to the seed's types and data-point codes both ways", () => {
    for (const [code, type] of Object.entries(KEY_TYPES)) {
      expect(keyTypeOf(type)).toBe(code);
      expect(unlockTypeOf(type)).toBe(type);
      expect(unlockTypeOf(dpCodeOf(type))).toBe(type);
    }
    expect(dpCodeOf("remoteControl")).toBe("unlock_telecontrol_kit");
    expect(unlockTypeOf("vein")).toBeUndefined();
  });

  it("enrolls one key of a type at a time under the next free number; a cancelled one is withdrawn", () => {
    const book = new LockUserBook();
    const owner = ownerIdOf(LOCK);
    const entries = [key("1", "1"), key("4", "2")];
    expect(book.startEnrollment(LOCK, entries, owner, "card")).toEqual({ ok: true, value: "5" });
    expect(book.startEnrollment(LOCK, entries, owner, "card")).toMatchObject({
      ok: false,
      reason: "INVALID_PARAM",
    });
    expect(book.startEnrollment(LOCK, entries, owner, "face")).toEqual({ ok: true, value: "6" });
    expect(book.enrolled(LOCK, "card", true)).toEqual({ keyId: "5", withdraw: false });
    expect(book.keys(LOCK, [...entries, key("5", "3")]).find((k) => k.no === 5)?.userId).toBe(owner);
    expect(book.cancelEnrollment(LOCK, "face").ok).toBe(true);
    expect(book.cancelEnrollment(LOCK, "face")).toMatchObject({ ok: false, reason: "NOT_FOUND" });
    expect(book.enrolled(LOCK, "face", true)).toEqual({ keyId: "6", withdraw: true });
    expect(book.cancelEnrollment(LOCK, "card")).toMatchObject({ ok: false, reason: "NOT_FOUND" });
  });

  it("keeps each key with at most one existing user, as a plain model does (model-based property)", () => {
    type Op =
      | { op: "add" }
      | { op: "delete"; user: number }
      | { op: "assign"; user: number; key: number }
      | { op: "unassign"; key: number }
      | { op: "drop"; key: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ op: "add" as const }),
      fc.record({ op: fc.constant("delete" as const), user: fc.nat(5) }),
      fc.record({ op: fc.constant("assign" as const), user: fc.nat(5), key: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constant("unassign" as const), key: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constant("drop" as const), key: fc.integer({ min: 1, max: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const book = new LockUserBook();
        const home = [ownerIdOf(LOCK), memberIdOf(LOCK)];
        const users: string[] = [...home];
        const links = new Map<string, string>();
        let held = ["1", "2", "3", "4", "5", "6"];
        const entries = () => held.map((id) => key(id, Number(id) % 2 === 0 ? "2" : "1"));
        for (const o of ops) {
          if (o.op === "add") users.push(book.addDeviceUser(LOCK, guest).id);
          const user = "user" in o ? users[o.user % users.length] : undefined;
          if (o.op === "delete" && user !== undefined && !home.includes(user)) {
            expect(book.deleteDeviceUser(LOCK, user).ok).toBe(true);
            users.splice(users.indexOf(user), 1);
            for (const [k, u] of links) if (u === user) links.delete(k);
          }
          if (o.op === "assign" && user !== undefined && held.includes(String(o.key))) {
            book.assign(LOCK, user, String(o.key));
            links.set(String(o.key), user);
          }
          if (o.op === "unassign") {
            book.unassign(LOCK, String(o.key));
            links.delete(String(o.key));
          }
          if (o.op === "drop") {
            held = held.filter((id) => id !== String(o.key));
            links.delete(String(o.key));
          }
          const seen = book.keys(LOCK, entries());
          expect(seen.map((k) => k.keyId)).toEqual(held);
          for (const k of seen) expect(k.userId).toBe(links.get(k.keyId));
          expect(book.users(LOCK).map((u) => u.id)).toEqual(users);
        }
      }),
    );
  });
});
