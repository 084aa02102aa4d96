import type fc from "fast-check";
import { expect } from "vitest";
import type { EmulatedDevice } from "../../emulators/device/emulated-device.ts";
import { PlatformError, type PlatformErrorCode } from "../../emulators/platform/errors.ts";
import type { ProfileModel } from "../../emulators/profiles/profile-model.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import {
  checkStep,
  contextOf,
  type DeviceName,
  deviceIdOf,
  gatewayOf,
  healthy,
  knownOffline,
  type Model,
  ownModel,
  type Real,
  reachable,
  switchOf,
  type Target,
} from "./fleet-model.ts";

/**
 * The property suite's commands. Each has a real precondition on the model, runs its operation to the end on
 * virtual time, and records its effect in the model. An operation may fail only in the ways its check names
 * (a platform error code, the device's session ending under it, a result the device may give); any other failure
 * fails the property.
 */
export type Command = fc.AsyncCommand<Model, Real>;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs an operation to its end on virtual time and returns its outcome, the failure included. */
async function attempt<T>(real: Real, promise: Promise<T>): Promise<Outcome<T>> {
  const outcome = promise.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  );
  return real.world.clock.runUntilSettled(outcome, { maxMs: 3_600_000 });
}

/** The platform refused or gave up with one of `codes`; anything else is rethrown. */
function refusedWith(error: unknown, codes: readonly PlatformErrorCode[]): PlatformErrorCode {
  if (error instanceof PlatformError && codes.includes(error.code)) return error.code;
  throw error;
}

/** The device's session when an operation starts: a device-side request may fail only if that session ends. */
const sessionOf = (device: EmulatedDevice) => ({ state: device.state, connects: device.counters.connects });

/** A device-side request failed because the device was not online or its session ended; anything else rethrown. */
function sessionEnded(error: unknown, device: EmulatedDevice, before: ReturnType<typeof sessionOf>): void {
  const ended =
    before.state !== "online" || device.state !== "online" || device.counters.connects !== before.connects;
  if (error instanceof Error && error.constructor === Error && ended) return;
  throw error;
}

const controlOf = (target: Target, value: string) => ({
  serialId: "0",
  cmd: [{ cmdName: target === "ac" ? "SET_TEMP" : "SET_POWER", cmdParam: value }],
});
const statusOf = (target: Target) => (target === "ac" ? "TEMP" : "POWER");

/** A control the device can get: its link not cut nor down, the switch still bound. */
export class Control implements Command {
  constructor(
    readonly target: "ac" | "switch",
    readonly value: string,
  ) {}
  check = (m: Readonly<Model>) =>
    reachable(m, this.target) && (this.target === "ac" || m.switchBound.has(true));
  async run(model: Model, real: Real) {
    const healthyLink = healthy(model, this.target);
    const id = deviceIdOf(real, this.target);
    const allowed = model.status[this.target][statusOf(this.target)] as Set<string>;
    const outcome = await attempt(
      real,
      real.world.platform.operations.control(id, controlOf(this.target, this.value)),
    );
    if (!outcome.ok) {
      refusedWith(outcome.error, ["OFFLINE", "DEVICE_TIMEOUT"]);
      allowed.add(this.value); // the device may have taken it before its answer was lost
    } else if (outcome.value.result === McResult.Success) {
      const reported = outcome.value.state?.["0"]?.[statusOf(this.target)];
      // On a healthy link the state report follows the answer at once (5.4.3.2); on a faulty one the platform may
      // give up waiting, or take an earlier report (made after a reconnect) for it.
      if (healthyLink) expect(reported, "the state reported after the control").toBe(this.value);
      else if (reported !== undefined) expect([...allowed, this.value]).toContain(reported);
      allowed.clear();
      allowed.add(this.value);
    } else {
      // Only the gateway refuses: a switch not (yet) authenticated or unbound at the gateway (5.4.3.1).
      expect([this.target, outcome.value.result]).toEqual(["switch", McResult.DeviceOffline]);
    }
    checkStep(model, real);
  }
  toString = () => `control(${this.target}, ${this.value})`;
}

/**
 * A control the platform must refuse, to a value the device does not hold: to the air conditioner or the switch
 * (the first that qualifies) when it has been unreachable past the offline limit, or to the switch once unbound.
 */
export class ControlRefused implements Command {
  constructor(readonly level: number) {}
  private valueFor = (t: "ac" | "switch") => String(t === "ac" ? this.level : this.level % 2);
  private targetIn = (m: Readonly<Model>) =>
    (["ac", "switch"] as const).find(
      (t) =>
        (knownOffline(m, t) || (t === "switch" && !m.switchBound.has(true))) &&
        !m.status[t][statusOf(t)]?.has(this.valueFor(t)),
    );
  check = (m: Readonly<Model>) => this.targetIn(m) !== undefined;
  async run(model: Model, real: Real) {
    const target = this.targetIn(model) ?? "ac";
    const id = deviceIdOf(real, target);
    const outcome = await attempt(
      real,
      real.world.platform.operations.control(id, controlOf(target, this.valueFor(target))),
    );
    if (knownOffline(model, target)) {
      // The platform has known for a while: it refuses at once, sending nothing.
      expect(outcome.ok ? outcome.value : refusedWith(outcome.error, ["OFFLINE"])).toBe("OFFLINE");
    } else if (outcome.ok) expect(outcome.value.result).toBe(McResult.DeviceOffline);
    else refusedWith(outcome.error, ["OFFLINE", "DEVICE_TIMEOUT"]);
    checkStep(model, real); // the model was not touched: a device that took the value departs from it
  }
  toString = () => `controlRefused(${this.level})`;
}

export class Query implements Command {
  constructor(readonly target: DeviceName) {}
  check = (m: Readonly<Model>) => reachable(m, this.target);
  async run(model: Model, real: Real) {
    const healthyLink = healthy(model, this.target);
    const id = deviceIdOf(real, this.target);
    const outcome = await attempt(real, real.world.platform.operations.query(id));
    if (!outcome.ok) refusedWith(outcome.error, ["OFFLINE", "DEVICE_TIMEOUT"]);
    else {
      expect(outcome.value.result).toBe(McResult.Success);
      // On a healthy link the full report follows at once, and the platform then holds the device's state.
      if (healthyLink) expect(outcome.value.state).toEqual(ownModel(real, this.target).status);
    }
    checkStep(model, real);
  }
  toString = () => `query(${this.target})`;
}

/** A room temperature read by the air conditioner (another value than the one it holds): reported at once. */
export class Reading implements Command {
  constructor(readonly value: string) {}
  check = (m: Readonly<Model>) => {
    const held = m.status.ac.ROOM_TEMP;
    return held === undefined || held.size !== 1 || !held.has(this.value);
  };
  async run(model: Model, real: Real) {
    const ac = real.devices.ac;
    const before = sessionOf(ac);
    const outcome = await attempt(
      real,
      (ac.model as ProfileModel).setStatus(contextOf(ac), "0", "ROOM_TEMP", this.value),
    );
    model.status.ac.ROOM_TEMP = new Set([this.value]); // the device holds it whatever became of the report
    if (!outcome.ok) sessionEnded(outcome.error, ac, before);
    else expect(real.world.platform.store.get(ac.deviceId)?.status["0"]?.ROOM_TEMP).toBe(this.value);
    checkStep(model, real);
  }
  toString = () => `roomTemperature(${this.value})`;
}

/** The lock is opened on the spot: an event the platform stores once if acknowledged, at most once if not. */
export class RaiseEvent implements Command {
  check = () => true;
  async run(model: Model, real: Real) {
    const lock = real.devices.lock;
    const before = sessionOf(lock);
    const outcome = await attempt(
      real,
      (lock.model as ProfileModel).raiseEvent(contextOf(lock), "LOCK_OPEN", { KEY_ID: "1" }),
    );
    model.lockEvents.max++;
    if (outcome.ok) model.lockEvents.min++;
    else sessionEnded(outcome.error, lock, before);
    checkStep(model, real);
  }
  toString = () => "lockOpened()";
}

/** A key the lock does not hold yet, added by the platform (5.4.3.4). */
export class AddKey implements Command {
  constructor(readonly keyId: string) {}
  check = (m: Readonly<Model>) => !m.keys.certain.has(this.keyId) && reachable(m, "lock");
  async run(model: Model, real: Real) {
    const resourceSerials = [
      {
        serialId: "0",
        resourceSerial: [
          { resourceName: "KEY_LIST", resourceInfo: [{ KEY_ID: this.keyId, KEY_TYPE: "2", MODE: "1" }] },
        ],
      },
    ];
    const lockId = real.devices.lock.deviceId;
    const outcome = await attempt(
      real,
      real.world.platform.operations.manageResources(lockId, resourceSerials),
    );
    if (outcome.ok) {
      expect(outcome.value.result).toBe(McResult.Success);
      model.keys.certain.add(this.keyId);
      model.keys.maybe.delete(this.keyId);
    } else {
      refusedWith(outcome.error, ["OFFLINE", "DEVICE_TIMEOUT"]);
      model.keys.maybe.add(this.keyId);
    }
    checkStep(model, real);
  }
  toString = () => `addKey(${this.keyId})`;
}

/** The switch unbound by the platform (2015) or at the gateway (2018), while the model has it bound. */
export class Unbind implements Command {
  constructor(readonly by: "platform" | "gateway") {}
  check = (m: Readonly<Model>) =>
    m.switchBound.has(true) && (this.by === "gateway" || reachable(m, "gateway"));
  async run(model: Model, real: Real) {
    const gateway = real.devices.gateway;
    const sub = switchOf(real);
    const record = () => real.world.platform.store.get(sub.deviceId);
    if (this.by === "platform") {
      const outcome = await attempt(
        real,
        real.world.platform.operations.unbind(gateway.deviceId, sub.deviceId),
      );
      if (!outcome.ok) {
        refusedWith(outcome.error, ["OFFLINE", "DEVICE_TIMEOUT"]);
        model.switchBound.add(false);
      } else {
        // 300001: the gateway had already unbound it, which only an earlier unbind of unknown fate explains.
        if (outcome.value.result !== McResult.Success)
          expect([outcome.value.result, model.switchBound.has(false)]).toEqual([
            McResult.DeviceOffline,
            true,
          ]);
        else expect(record()?.unbound, "the platform after an acknowledged 2015").toBe(true);
        model.switchBound = new Set([false]);
      }
    } else {
      const before = sessionOf(gateway);
      const outcome = await attempt(real, gatewayOf(real).unbindLocally(contextOf(gateway), sub.deviceId));
      model.switchBound = new Set([false]); // unbound at the gateway whatever became of the report
      if (outcome.ok) expect(record()?.unbound, "the platform after an acknowledged 2018").toBe(true);
      else sessionEnded(outcome.error, gateway, before);
    }
    checkStep(model, real);
  }
  toString = () => `unbind(switch, by ${this.by})`;
}
