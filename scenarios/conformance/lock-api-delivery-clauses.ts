import { expectThat, NotApplicable } from "./clause.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { call, expectResult } from "./lock-api-client.ts";
import {
  createPassword,
  DELIVERY_POLL_MS,
  type Kind,
  lockOf,
  type PasswordState,
  pollDelivery,
} from "./lock-api-passwords.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * L3, delivery (seed lines 110-133, 521-562): a created password reaches the lock, and the caller's poll of
 * `delivery_status` (at most 25 s) reads success, with `phase` 2 (Wi-Fi: sent; Zigbee: normal); a Zigbee lock that
 * does not answer its gateway's three resends reads failure (3) and `phase` 5 within those 25 s.
 */

const delivery = { succeeded: 2, failed: 3 } as const;
/** seed lines 544-556: `phase`. */
const phase = { wifiSent: 2, zigbeeNormal: 2, zigbeeFrozen: 3, zigbeeCreationFailed: 5 } as const;

const seen = ({ state, afterMs }: { state: PasswordState; afterMs: number }) =>
  `delivery_status ${String(state.delivery_status)}, phase ${String(state.phase)} after ${afterMs} ms`;

/** Creates a password on the lock of `kind` and polls it until it leaves "being configured". */
async function deliveredTo(target: LockApiTarget, kind: Kind, expected: { status: number; phase: number }) {
  const deviceId = lockOf(target, kind);
  const id = await createPassword(target, kind);
  const polled = await pollDelivery(target, deviceId, id);
  expectThat(
    polled.state.delivery_status === expected.status &&
      polled.state.phase === expected.phase &&
      polled.afterMs < DELIVERY_POLL_MS,
    `delivery_status ${expected.status} and phase ${expected.phase} within ${DELIVERY_POLL_MS} ms`,
    seen(polled),
  );
  return { deviceId, id };
}

export const deliveryClauses: readonly LockClause[] = [
  {
    clause: "L3.1",
    endpoints: ["createTempPassword", "getTempPassword"],
    title:
      "delivery: a Wi-Fi lock's new password reads delivery_status 2 (succeeded) and phase 2 (sent) within 25 s",
    run: async (target) => {
      await deliveredTo(target, "wifi", { status: delivery.succeeded, phase: phase.wifiSent });
    },
  },
  {
    clause: "L3.2",
    endpoints: ["createTempPassword", "getTempPassword"],
    title:
      "delivery: a Zigbee lock's new password reads delivery_status 2 (succeeded) and phase 2 (normal) within 25 s",
    run: async (target) => {
      await deliveredTo(target, "zigbee", { status: delivery.succeeded, phase: phase.zigbeeNormal });
    },
  },
  {
    clause: "L3.3",
    endpoints: ["freezeTempPassword", "unfreezeTempPassword", "getTempPassword"],
    title:
      "delivery: a Zigbee lock's frozen password reads phase 3 (frozen) within 25 s, and 2 again once unfrozen",
    run: async (target) => {
      const { deviceId, id } = await deliveredTo(target, "zigbee", {
        status: delivery.succeeded,
        phase: phase.zigbeeNormal,
      });
      for (const [endpoint, want] of [
        ["freezeTempPassword", phase.zigbeeFrozen],
        ["unfreezeTempPassword", phase.zigbeeNormal],
      ] as const) {
        expectResult(
          await call(target, endpoint, { device_id: deviceId, password_id: id }),
          endpoint,
          endpoint,
        );
        const polled = await pollDelivery(target, deviceId, id);
        expectThat(
          polled.state.delivery_status === delivery.succeeded && polled.state.phase === want,
          `after ${endpoint}: delivery_status ${delivery.succeeded} and phase ${want} within ${DELIVERY_POLL_MS} ms`,
          seen(polled),
        );
      }
    },
  },
  {
    clause: "L3.4",
    endpoints: ["createTempPassword", "getTempPassword"],
    title:
      "delivery: a Zigbee lock that does not answer reads delivery_status 3 (failed) and phase 5 within 25 s",
    needs: ["virtual-time", "misbehaviour"],
    run: async (target) => {
      if (target.silenceZigbee === undefined)
        throw new NotApplicable("the target cannot make its Zigbee lock stop answering");
      lockOf(target, "zigbee");
      const undo = target.silenceZigbee();
      try {
        await deliveredTo(target, "zigbee", { status: delivery.failed, phase: phase.zigbeeCreationFailed });
      } finally {
        undo();
      }
    },
  },
];
