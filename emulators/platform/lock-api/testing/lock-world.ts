import { TuyaContext } from "@tuya/tuya-connector-nodejs";
import { afterEach } from "vitest";
import { decryptTicketKey, encryptPassword } from "../../../../harness/protocol/lock-api/password-crypto.ts";
import type { DeviceContext } from "../../../device/model.ts";
import { LOCK_FLEET } from "../../../fleet/lock-fleet.ts";
import type { GatewayModel } from "../../../gateway/gateway-model.ts";
import type { ProfileModel } from "../../../profiles/profile-model.ts";
import { startWorld } from "../../../testing/world.ts";

/** An answer of the lock API as the SDK returns it. */
export interface Envelope<T> {
  success: boolean;
  result: T;
  code?: number;
  msg?: string;
}

export type LockWorld = Awaited<ReturnType<typeof startLockWorld>>;

/**
 * The platform and a fleet with a lock of each type hilfarm models (Wi-Fi, keepalive Wi-Fi, video, access control;
 * a Zigbee lock and a Zigbee hotel lock behind a gateway), all online, on a virtual clock
 * that starts at the real time. With `client`, the platform serves the lock API and the vendor's SDK is pointed at
 * it (the SDK signs with `Date.now()`: the tolerance for `t` is an hour, as virtual time runs ahead).
 */
export async function startLockWorld(
  client?: { clientId: string; secret: string },
  more: { moreClients?: ReadonlyArray<{ clientId: string; secret: string }> } = {},
) {
  const w = await startWorld({
    clockStart: Date.now(),
    fleet: LOCK_FLEET,
    ...(client === undefined
      ? {}
      : {
          platform: {
            lockApi: { clients: [client, ...(more.moreClients ?? [])], toleranceMs: 3_600_000 },
          },
        }),
  });
  w.fleet.powerOn();
  const everyone = w.plan.devices.flatMap((d) => [d, ...d.subDevices]);
  await w.clock.runUntil(() =>
    everyone.every((d) => w.platform.store.get(d.deviceId)?.version.device !== undefined),
  );
  const baseUrl = w.platform.addresses.surfaces["lock-api"]?.http ?? "";
  const sdk =
    client === undefined
      ? undefined
      : new TuyaContext({ baseUrl, accessKey: client.clientId, secretKey: client.secret });
  /** One SDK call, the virtual clock running meanwhile. */
  const call = <T>(request: Parameters<TuyaContext["request"]>[0]): Promise<Envelope<T>> => {
    if (sdk === undefined) throw new Error("this world serves no lock API");
    return w.clock.runUntilSettled(sdk.request<T>(request)) as Promise<Envelope<T>>;
  };
  const subDevices = w.plan.devices.find((d) => d.subDevices.length > 0)?.subDevices ?? [];
  const zigbeeId = subDevices[0]?.deviceId ?? "";
  /** A lock of each type, by the seed's lock type. */
  const ids = {
    wifi: w.device("smart-lock").deviceId,
    "keepalive-wifi": w.device("keepalive-lock").deviceId,
    "wifi-video": w.device("video-lock").deviceId,
    "wifi-access-control": w.device("access-control").deviceId,
    zigbee: zigbeeId,
    "zigbee-hotel": subDevices[1]?.deviceId ?? "",
  } as const;
  const gateway = w.device("zigbee-gateway");
  /** A code typed at the Zigbee lock's keypad (its reports go through the gateway). */
  const typeAtZigbee = (code: string) => {
    const lock = (gateway.model as GatewayModel).subDevices.get(zigbeeId)?.model as ProfileModel;
    const context = (gateway as unknown as { context(): DeviceContext }).context();
    return w.clock.runUntilSettled(lock.typeCode(context, code));
  };
  /** The gateway drops the Zigbee lock (out of radio range) and reports it offline; `rejoin` brings it back. */
  const zigbeeRange = (present: boolean) => {
    const context = (gateway as unknown as { context(): DeviceContext }).context();
    const model = gateway.model as GatewayModel;
    return w.clock.runUntilSettled(
      present ? model.rejoin(context, zigbeeId) : model.dropOff(context, zigbeeId),
    );
  };
  /** A ticket for the lock, then `digits` sealed under its key: the password fields of a create or modify. */
  const sealed = async (deviceId: string, digits: string) => {
    const ticket = await call<{ ticket_id: string; ticket_key: string }>({
      method: "POST",
      path: `/v1.0/devices/${deviceId}/door-lock/password-ticket`,
    });
    if (!ticket.success) throw new Error(`password-ticket: ${ticket.code} ${ticket.msg}`);
    const key = decryptTicketKey(ticket.result.ticket_key, client?.secret ?? "");
    if (!key.ok) throw key.error;
    return {
      password: encryptPassword(digits, key.value),
      password_type: "ticket",
      ticket_id: ticket.result.ticket_id,
    };
  };
  return { w, call, sealed, baseUrl, wifiId: ids.wifi, zigbeeId, ids, gateway, typeAtZigbee, zigbeeRange };
}

/** A fresh lock world per test, closed after it: `const openLockWorld = lockWorldPerTest();`, then in a test `await openLockWorld(client)`. */
export function lockWorldPerTest(): (...args: Parameters<typeof startLockWorld>) => Promise<LockWorld> {
  let world: LockWorld | undefined;
  afterEach(async () => {
    await world?.w.close();
    world = undefined;
  });
  return async (...args) => {
    world = await startLockWorld(...args);
    return world;
  };
}
