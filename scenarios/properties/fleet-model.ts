import { expect } from "vitest";
import type { EmulatedDevice } from "../../emulators/device/emulated-device.ts";
import type { DeviceContext } from "../../emulators/device/model.ts";
import type { GatewayModel, SubDevice } from "../../emulators/gateway/gateway-model.ts";
import { defaultTiming, offlineAfterMs } from "../../emulators/platform/options.ts";
import type { Platform } from "../../emulators/platform/platform.ts";
import type { ProfileModel } from "../../emulators/profiles/profile-model.ts";
import type { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { CutMode, FaultyConnector } from "../../harness/link/faults.ts";

/**
 * What the platform should hold for the property suite's fleet (an air conditioner, a lock, a gateway with a Zigbee
 * switch), kept by the commands as each one's effect becomes known, and compared with the devices after every step
 * and with the platform's store where the suite can know it (at once for acknowledged operations and long outages,
 * in full at quiescence).
 */

/** What the model and the commands use of the world (`startWorld`): its clock and the platform. */
export interface World {
  clock: VirtualClock;
  platform: Platform;
}
export type DeviceName = "ac" | "lock" | "gateway";
export type Target = DeviceName | "switch";
export const DEVICES: readonly DeviceName[] = ["ac", "lock", "gateway"];
export const TARGETS: readonly Target[] = [...DEVICES, "switch"];

export interface Real {
  world: World;
  devices: Record<DeviceName, EmulatedDevice>;
  connectors: Map<string, FaultyConnector>;
  /** Invariant breaches seen by the watchers; checked after every step. */
  breaches: string[];
  /** Platform acknowledgements (2033, result 0) per device. */
  eventAcks: Map<string, number>;
}

/** 5.4.2.3: the platform declares a silent device offline after 3 x HB + 10 s. */
export const OFFLINE_AFTER_MS = offlineAfterMs(defaultTiming);
/**
 * Frames already on the wire when a link goes away still arrive (latency up to 2 s, a reordered frame held 100 ms),
 * and the device gives up on its session within HB + 3 x 10 s: past this, an unreachable device is offline on both
 * sides.
 */
export const OUTAGE_KNOWN_AFTER_MS = OFFLINE_AFTER_MS + 5_000;

/** The link of one device as the commands left it. */
export interface LinkFacts {
  cut: CutMode | undefined;
  /** Latency, loss, duplicates or reordering set since the last heal. */
  faulty: boolean;
  /** The device's network is down until then (`loseNetwork`). */
  networkUpAt: number;
  /** Start of the current stretch of time the device cannot reach the platform (cut or network down). */
  unreachableSince: number | undefined;
  /** The last cut, fault, network loss or reboot: a session may be re-established until well after it. */
  disturbedAt: number;
}

export interface Model {
  /** The clock when the model was last brought up to date. */
  now: number;
  /** Status (serial "0") per target: the values the device may hold; one when the model knows it. */
  status: Record<Target, Record<string, Set<string>>>;
  /** Lock keys (KEY_LIST ids) the lock certainly holds, and those it may hold (an add whose answer was lost). */
  keys: { certain: Set<string>; maybe: Set<string> };
  /** Whether the switch is still bound to its gateway: `{true}`, `{false}`, or both when an unbind's fate is unknown. */
  switchBound: Set<boolean>;
  /** Lock events the platform stored: acknowledged ones at least, plus those whose answer was lost at most. */
  lockEvents: { min: number; max: number };
  links: Record<DeviceName, LinkFacts>;
}

export const contextOf = (device: EmulatedDevice) =>
  (device as unknown as { context(): DeviceContext }).context();

export const gatewayOf = (real: Real) => real.devices.gateway.model as GatewayModel;

export function switchOf(real: Real): SubDevice {
  const [sub] = gatewayOf(real).subDevices.values();
  if (sub === undefined) throw new Error("the gateway has no switch");
  return sub;
}

export const deviceIdOf = (real: Real, target: Target) =>
  target === "switch" ? switchOf(real).deviceId : real.devices[target].deviceId;

/** The faulty connector of a device's links (every device of the fleet has one). */
export function connectorOf(real: Real, device: DeviceName): FaultyConnector {
  const connector = real.connectors.get(real.devices[device].deviceId);
  if (connector === undefined) throw new Error(`${device} has no faulty connector`);
  return connector;
}

/** The device's own profile model (a gateway's own, the switch's under its gateway). */
export function ownModel(real: Real, target: Target): ProfileModel {
  if (target === "switch") return switchOf(real).model;
  if (target === "gateway") return gatewayOf(real).own;
  return real.devices[target].model as ProfileModel;
}

/** The device a target's requests travel through: the switch's is its gateway's. */
export const carrierOf = (target: Target): DeviceName => (target === "switch" ? "gateway" : target);

export const keyIds = (entries: ReadonlyArray<Record<string, string>> | undefined) =>
  (entries ?? []).map((e) => e.KEY_ID ?? "?");

export function initialModel(real: Real): Model {
  const now = real.world.clock.now();
  const status = {} as Model["status"];
  for (const target of TARGETS) {
    const serial = ownModel(real, target).profile.serials["0"] ?? {};
    status[target] = Object.fromEntries(Object.entries(serial).map(([k, v]) => [k, new Set([v])]));
  }
  const link = (): LinkFacts => ({
    cut: undefined,
    faulty: false,
    networkUpAt: now,
    unreachableSince: undefined,
    disturbedAt: Number.NEGATIVE_INFINITY,
  });
  const keys = keyIds(ownModel(real, "lock").profile.resources["0"]?.KEY_LIST);
  return {
    now,
    status,
    keys: { certain: new Set(keys), maybe: new Set() },
    switchBound: new Set([true]),
    lockEvents: { min: 0, max: 0 },
    links: { ac: link(), lock: link(), gateway: link() },
  };
}

const isReachable = (link: LinkFacts, now: number) => link.cut === undefined && now >= link.networkUpAt;

/** Brings the model's clock and outages up to date (a network comes back on its own). */
export function refresh(model: Model, now: number): void {
  model.now = now;
  for (const link of Object.values(model.links))
    if (isReachable(link, now)) link.unreachableSince = undefined;
}

/** After a cut or a network loss: unreachable from now, unless it already was. */
export function updateReachability(link: LinkFacts, now: number): void {
  if (isReachable(link, now)) link.unreachableSince = undefined;
  else link.unreachableSince ??= now;
}

export const reachable = (model: Model, target: Target) =>
  isReachable(model.links[carrierOf(target)], model.now);

/** Unreachable for so long that the platform and the device both know it. */
export function knownOffline(model: Model, target: Target): boolean {
  const since = model.links[carrierOf(target)].unreachableSince;
  return since !== undefined && model.now - since >= OUTAGE_KNOWN_AFTER_MS;
}

/** Reachable, no faults, and long past the last disturbance: a device that answers reports at once. */
export function healthy(model: Model, target: Target): boolean {
  const link = model.links[carrierOf(target)];
  return reachable(model, target) && !link.faulty && model.now - link.disturbedAt >= OUTAGE_KNOWN_AFTER_MS;
}

/** What one side (a device's own models, or the platform's store) holds of the facts the model keeps. */
export interface View {
  status: Record<Target, Record<string, string>>;
  keys: string[];
  switchBound: boolean;
}

export function deviceView(real: Real): View {
  const status = {} as View["status"];
  for (const t of TARGETS) status[t] = { ...ownModel(real, t).status["0"] };
  return {
    status,
    keys: keyIds(ownModel(real, "lock").resources["0"]?.KEY_LIST).sort(),
    switchBound: switchOf(real).bound,
  };
}

export function platformView(real: Real): View {
  const { store } = real.world.platform;
  const status = {} as View["status"];
  for (const t of TARGETS) status[t] = { ...store.get(deviceIdOf(real, t))?.status["0"] };
  const lockResources = store.get(real.devices.lock.deviceId)?.resources ?? [];
  const keyList = lockResources
    .find((s) => s.serialId === "0")
    ?.resourceSerial.find((r) => r.resourceName === "KEY_LIST")?.resourceInfo;
  return {
    status,
    keys: keyIds(keyList).sort(),
    switchBound: store.get(deviceIdOf(real, "switch"))?.unbound === false,
  };
}

/**
 * The state a side must hold: all of it, except an unbound switch's at the platform, which keeps the last state it
 * accepted (5.4.3.10: what the gateway sends about it after the unbind is refused).
 */
export function heldState(view: View, side: "platform" | "devices"): Partial<View["status"]> {
  if (side === "devices" || view.switchBound) return view.status;
  const { switch: _unbound, ...rest } = view.status;
  return rest;
}

/** Where a side departs from what the model allows; `side` names it in the messages. */
export function departures(model: Model, view: View, side: "platform" | "devices"): string[] {
  const out: string[] = [];
  const show = (s: Set<unknown>) => JSON.stringify([...s]);
  const state = heldState(view, side);
  for (const t of TARGETS) {
    const held = state[t];
    if (held === undefined) continue;
    const expected = model.status[t];
    for (const name of new Set([...Object.keys(expected), ...Object.keys(held)])) {
      const allowed = expected[name];
      const value = held[name];
      if (allowed === undefined || value === undefined || !allowed.has(value))
        out.push(
          `${side}: ${t}.${name} is ${value}, the model allows ${allowed ? show(allowed) : "nothing"}`,
        );
    }
  }
  const keys = new Set(view.keys);
  for (const k of model.keys.certain) if (!keys.has(k)) out.push(`${side}: lock key ${k} is missing`);
  for (const k of keys)
    if (!model.keys.certain.has(k) && !model.keys.maybe.has(k))
      out.push(`${side}: lock key ${k} was never added`);
  if (keys.size !== view.keys.length) out.push(`${side}: lock keys repeat: ${view.keys.join(",")}`);
  if (!model.switchBound.has(view.switchBound))
    out.push(`${side}: switch bound=${view.switchBound}, the model allows ${show(model.switchBound)}`);
  return out;
}

/** After every step: the watchers' invariants, the devices within the model, and long outages known to both sides. */
export function checkStep(model: Model, real: Real): void {
  const { platform } = real.world;
  refresh(model, real.world.clock.now());
  // No report the platform acknowledged is lost or applied twice (retransmissions included).
  for (const [name, device] of Object.entries(real.devices)) {
    const stored = platform.store.get(device.deviceId)?.events.filter((e) => e.kind === "event").length ?? 0;
    const acked = real.eventAcks.get(device.deviceId) ?? 0;
    if (stored !== acked) real.breaches.push(`${name}: ${stored} events stored, ${acked} acknowledged`);
  }
  const lockEvents = real.eventAcks.get(real.devices.lock.deviceId) ?? 0;
  if (lockEvents < model.lockEvents.min || lockEvents > model.lockEvents.max)
    real.breaches.push(
      `lock: ${lockEvents} events stored, the model allows ${JSON.stringify(model.lockEvents)}`,
    );
  real.breaches.push(...departures(model, deviceView(real), "devices"));
  for (const d of DEVICES) {
    if (!knownOffline(model, d)) continue;
    const ids = d === "gateway" ? [deviceIdOf(real, d), deviceIdOf(real, "switch")] : [deviceIdOf(real, d)];
    for (const id of ids)
      if (platform.store.get(id)?.online !== false) real.breaches.push(`${id}: online after a long outage`);
    if (real.devices[d].state === "online")
      real.breaches.push(`${d}: thinks itself online after a long outage`);
  }
  expect(real.breaches).toEqual([]);
}
