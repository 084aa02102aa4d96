import { TuyaContext } from "@tuya/tuya-connector-nodejs";
import type { DeviceContext } from "../../../device/model.ts";
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
 * The platform and a fleet with a Wi-Fi lock and a Zigbee lock behind its gateway, all online, on a virtual clock
 * that starts at the real time. With `client`, the platform serves the lock API and the vendor's SDK is pointed at
 * it (the SDK signs with `Date.now()`: the tolerance for `t` is an hour, as virtual time runs ahead).
 */
export async function startLockWorld(client?: { clientId: string; secret: string }) {
  const w = await startWorld({
    clockStart: Date.now(),
    fleet: {
      devices: [{ profile: "smart-lock", count: 1 }],
      gateways: [{ profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-lock", count: 1 }] }],
    },
    ...(client === undefined ? {} : { platform: { lockApi: { clients: [client], toleranceMs: 3_600_000 } } }),
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
  const zigbeeId = w.plan.devices.find((d) => d.subDevices.length > 0)?.subDevices[0]?.deviceId ?? "";
  const gateway = w.device("zigbee-gateway");
  /** A code typed at the Zigbee lock's keypad (its reports go through the gateway). */
  const typeAtZigbee = (code: string) => {
    const lock = (gateway.model as GatewayModel).subDevices.get(zigbeeId)?.model as ProfileModel;
    const context = (gateway as unknown as { context(): DeviceContext }).context();
    return w.clock.runUntilSettled(lock.typeCode(context, code));
  };
  return { w, call, baseUrl, wifiId: w.device("smart-lock").deviceId, zigbeeId, gateway, typeAtZigbee };
}
