import { expect } from "vitest";
import { type LockEndpointId, lockEndpoints } from "../../../../harness/protocol/lock-api/endpoints.ts";
import type { ProfileModel } from "../../../profiles/profile-model.ts";
import type { Envelope, LockWorld } from "./lock-world.ts";

/** What the users' SDK tests share: answers checked against the catalogue, a lock's keys, a password enrolled. */

/** A success whose `result` satisfies the catalogue entry's `response` schema; the result. */
export function served<T>(id: LockEndpointId, answer: Envelope<T>): T {
  expect(answer, `${id}: ${answer.msg}`).toMatchObject({ success: true });
  lockEndpoints[id].response.parse(answer.result);
  return answer.result;
}

export function refused(answer: Envelope<unknown>, code: number): void {
  expect(answer, JSON.stringify(answer)).toMatchObject({ success: false, code });
}

/** The KEY_LIST the lock last reported to the platform. */
export const keyList = (world: LockWorld, deviceId: string) =>
  world.w.platform.store
    .get(deviceId)
    ?.resources.find((s) => s.serialId === "0")
    ?.resourceSerial.find((r) => r.resourceName === "KEY_LIST")?.resourceInfo ?? [];

/** The events of that name the lock sent. */
export const eventsOf = (world: LockWorld, deviceId: string, name: string) =>
  (world.w.platform.store.get(deviceId)?.events ?? []).filter(
    (e) => e.kind === "event" && e.body.eventName === name,
  );

/**
 * A password enrolled through the API for a home user (user type 1) of the lock: once the lock holds it and the cloud
 * linked it with the user. Its key number.
 */
export async function enrolledPassword(
  world: LockWorld,
  deviceId: string,
  userId: string,
  digits: string,
): Promise<string> {
  const before = new Set(keyList(world, deviceId).map((k) => k.KEY_ID));
  served(
    "enrollUnlockMethod",
    await world.call({
      method: "PUT",
      path: `/v1.0/devices/${deviceId}/door-lock/actions/entry`,
      body: {
        user_id: userId,
        user_type: 1,
        unlock_type: "password",
        ...(await world.sealed(deviceId, digits)),
      },
    }),
  );
  await world.w.clock.runUntil(() => keyList(world, deviceId).some((k) => !before.has(k.KEY_ID)));
  await world.w.clock.advanceAsync(100);
  return keyList(world, deviceId).find((k) => !before.has(k.KEY_ID))?.KEY_ID ?? "";
}

/**
 * A password set at the lock's own panel, behind the cloud's back: the lock holds it (and opens with it) but has not
 * reported it (the cloud reads it on its next full report, e.g. after a sync).
 */
export function setAtPanel(world: LockWorld, profile: string, keyId: string, digits: string): void {
  const model = world.w.device(profile).model as ProfileModel;
  model.resources["0"]?.KEY_LIST?.push({
    KEY_ID: keyId,
    KEY_TYPE: "2",
    KEY_NAME: "panel code",
    KEY_CODE: digits,
  });
}
