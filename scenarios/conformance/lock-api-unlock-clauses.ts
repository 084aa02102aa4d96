import { expectThat, NotApplicable } from "./clause.ts";
import { done, pollUntil, served } from "./lock-api-asks.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { call, expectResult, shown } from "./lock-api-client.ts";
import { lockOf } from "./lock-api-passwords.ts";
import type { LockApiTarget } from "./lock-api-target.ts";
import { addedUser } from "./lock-api-user-clauses.ts";

/**
 * L7, unlocking methods (seed lines 3909-4720): the lock's keys not linked with anyone and
 * their assignment to a device user, enrollment for a device user (the key the lock then reports), its duress flag and
 * photo attribute, deletion, a cancelled enrollment. An access control device's are lock-api-access-clauses.ts.
 */

type Key = { unlock_no?: number; unlock_type?: string; hijack?: boolean };

export const keysOf = async (
  target: LockApiTarget,
  id: "listUnassignedKeys" | "listAssignedKeys",
  params: Record<string, string>,
) => (await served<{ unlock_keys?: Key[] }>(target, id, params)).unlock_keys ?? [];

/** A fingerprint the suite enrolled for a device user of the Wi-Fi lock, once per run (L7.9 makes it). */
const enrolled = new WeakMap<LockApiTarget, { deviceId: string; userId: string; no: number }>();

function enrolledOf(target: LockApiTarget) {
  lockOf(target, "wifi");
  const found = enrolled.get(target);
  if (found === undefined) throw new NotApplicable("no key was enrolled at the Wi-Fi lock (L7.9 says why)");
  return found;
}

const assignedTo = (target: LockApiTarget, deviceId: string, userId: string) =>
  keysOf(target, "listAssignedKeys", { device_id: deviceId, user_type: "2", user_id: userId });

export const unlockClauses: readonly LockClause[] = [
  {
    clause: "L7.8",
    title:
      "keys: a key GET .../unassigned-keys lists, POST .../device-lock/users/{user_id}/allocate links with a user",
    endpoints: ["listUnassignedKeys", "addDeviceUser", "allocateDeviceUserPassword", "listAssignedKeys"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const free = (await keysOf(target, "listUnassignedKeys", { device_id: deviceId }))[0];
      if (free?.unlock_no === undefined || free.unlock_type === undefined)
        throw new NotApplicable(`the Wi-Fi lock ${deviceId} has no key that is not linked with a user`);
      const userId = await addedUser(target, deviceId, "L7.8");
      const body = { no: String(free.unlock_no), type: free.unlock_type };
      await done(target, "allocateDeviceUserPassword", { device_id: deviceId, user_id: userId }, { body });
      const keys = await assignedTo(target, deviceId, userId);
      expectThat(
        keys.some((k) => k.unlock_no === free.unlock_no && k.unlock_type === free.unlock_type),
        `${free.unlock_type} key ${free.unlock_no} linked with ${userId}`,
        JSON.stringify(keys),
      );
    },
  },
  {
    clause: "L7.9",
    title:
      "enroll: PUT .../actions/entry of a fingerprint answers true; the key the lock records is the user's",
    endpoints: ["addDeviceUser", "enrollUnlockMethod", "listAssignedKeys"],
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const userId = await addedUser(target, deviceId, "L7.9");
      const body = { user_id: userId, user_type: 2, unlock_type: "fingerprint" };
      await done(target, "enrollUnlockMethod", { device_id: deviceId }, { body });
      const keys = await pollUntil(
        target,
        () => assignedTo(target, deviceId, userId),
        (k) => k.length > 0,
      );
      const no = keys[0]?.unlock_no;
      // A real lock waits for a finger; a lock that refuses its key orders records none (L3.1 tells).
      if (no === undefined)
        throw new NotApplicable(
          `the Wi-Fi lock ${deviceId} recorded no fingerprint for ${userId} within 25 s (see L3.1)`,
        );
      enrolled.set(target, { deviceId, userId, no });
    },
  },
  {
    clause: "L7.10",
    title:
      "duress: PUT .../keys/{unlock_no}/hijack sets the flag (listed hijack true); DELETE .../hijack clears it",
    endpoints: ["setUnlockMethodHijack", "listAssignedKeys", "deleteUnlockMethodHijack"],
    run: async (target) => {
      const { deviceId, userId, no } = enrolledOf(target);
      await done(target, "setUnlockMethodHijack", {
        device_id: deviceId,
        unlock_type: "fingerprint",
        unlock_no: no,
      });
      const flag = async () =>
        (await assignedTo(target, deviceId, userId)).find((k) => k.unlock_no === no)?.hijack;
      const set = await pollUntil(target, flag, (h) => h === true);
      expectThat(set === true, `key ${no} listed with hijack true`, `hijack ${String(set)}`);
      await done(target, "deleteUnlockMethodHijack", {
        device_id: deviceId,
        unlock_type: "unlock_fingerprint",
        unlock_sn: no,
      });
      const cleared = await pollUntil(target, flag, (h) => h !== true);
      expectThat(cleared !== true, `key ${no} listed with hijack false`, `hijack ${String(cleared)}`);
    },
  },
  {
    clause: "L7.11",
    title: "photo: POST .../opmodes/{opmode_id}/attribute/2/opmode-attr enables photo capturing (true)",
    endpoints: ["setOpmodeAttribute"],
    run: async (target) => {
      const { deviceId, no } = enrolledOf(target);
      const params = { device_id: deviceId, opmode_id: no, attribute: 2 };
      await done(target, "setOpmodeAttribute", params, { body: { enabled: true } });
    },
  },
  {
    clause: "L7.12",
    title:
      "delete: DELETE .../unlock-types/fingerprint/keys/{unlock_no} answers true; the user no longer has it",
    endpoints: ["deleteUnlockMethod", "listAssignedKeys"],
    run: async (target) => {
      const { deviceId, userId, no } = enrolledOf(target);
      await done(target, "deleteUnlockMethod", {
        device_id: deviceId,
        user_type: 2,
        user_id: userId,
        unlock_type: "fingerprint",
        unlock_no: no,
      });
      const keys = await pollUntil(
        target,
        () => assignedTo(target, deviceId, userId),
        (k) => k.length === 0,
      );
      expectThat(
        !keys.some((k) => k.unlock_no === no),
        `key ${no} gone from ${userId}`,
        JSON.stringify(keys),
      );
    },
  },
  {
    clause: "L7.13",
    title: "cancel: PUT .../unlock-types/card/actions/cancel withdraws an enrollment under way (true)",
    endpoints: ["addDeviceUser", "enrollUnlockMethod", "cancelUnlockMethodEnrollment"],
    run: async (target) => {
      const deviceId = lockOf(target, "zigbee");
      const userId = await addedUser(target, deviceId, "L7.13");
      // Emulated locks enroll at once: a silent Zigbee lock keeps the enrollment under way.
      const undo = target.silenceZigbee?.();
      try {
        const body = { user_id: userId, user_type: 2, unlock_type: "card" };
        await done(target, "enrollUnlockMethod", { device_id: deviceId }, { body });
        const params = { device_id: deviceId, unlock_type: "card" };
        const answer = await call(target, "cancelUnlockMethodEnrollment", params);
        const taken = async () =>
          (await assignedTo(target, deviceId, userId)).some((k) => k.unlock_type === "card");
        // A lock that enrolls at once (no card to present) may have finished before the cancel came.
        if (!answer.envelope.success && undo === undefined && (await taken()))
          throw new NotApplicable(`the Zigbee lock ${deviceId} took the card before the cancel came`);
        expectResult(answer, "cancelUnlockMethodEnrollment", `the cancel of ${userId}'s card enrollment`);
        expectThat(answer.envelope.success && answer.envelope.result !== false, "result true", shown(answer));
      } finally {
        undo?.();
      }
    },
  },
];
