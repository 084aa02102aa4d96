import { type CheckedDevices, checkFlat, passed } from "./check.ts";
import { RegistryError } from "./errors.ts";

/** A device the reference platform knows: its PIN (the login key) and, for a sub-device, its gateway. */
export interface RegisteredDevice {
  deviceId: string;
  pin: string;
  bindKey?: string;
  model?: string;
  parentId?: string;
}

/** Names `fromDevices` input in problems, which has no file of its own. */
const IN_MEMORY = "(devices)";

/** The devices of one registry file, validated as a whole; read-only, in file order. */
export class Registry {
  readonly #devices: readonly RegisteredDevice[];
  readonly #byId = new Map<string, RegisteredDevice>();
  readonly #children = new Map<string, RegisteredDevice[]>();

  private constructor(devices: CheckedDevices) {
    // Object.assign, not a spread: V8 (Node 20) gives every frozen copy of a spread its own hidden class, about 170
    // bytes more per device in the platform's heap (docs/benchmarks.md, "Hidden classes made per object").
    this.#devices = devices.map((device) => Object.freeze(Object.assign({}, device)));
    for (const device of this.#devices) {
      this.#byId.set(device.deviceId, device);
      if (device.parentId === undefined) continue;
      const siblings = this.#children.get(device.parentId);
      if (siblings === undefined) this.#children.set(device.parentId, [device]);
      else siblings.push(device);
    }
  }

  /** Throws `RegistryError` listing every problem; nothing is half-loaded. */
  static fromDevices(devices: RegisteredDevice[]): Registry {
    const checked = checkFlat(
      devices.map((input, index) => ({ input, at: { file: IN_MEMORY, path: `devices[${index}]` } })),
    );
    const valid = passed(checked.devices, checked.problems);
    if (valid === undefined) throw new RegistryError(checked.problems);
    return new Registry(valid);
  }

  /** Devices a registry file's parser has checked (`passed`): not checked again. */
  static fromChecked(devices: CheckedDevices): Registry {
    return new Registry(devices);
  }

  get(deviceId: string): RegisteredDevice | undefined {
    return this.#byId.get(deviceId);
  }

  has(deviceId: string): boolean {
    return this.#byId.has(deviceId);
  }

  /** The devices whose `parentId` is `gatewayId`, in file order. */
  subDevicesOf(gatewayId: string): RegisteredDevice[] {
    return [...(this.#children.get(gatewayId) ?? [])];
  }

  /** Devices that log in themselves (not sub-devices), with their credentials: what a scenario plays. */
  loginDevices(): Array<{ deviceId: string; pin: string }> {
    return this.all()
      .filter((d) => d.parentId === undefined)
      .map(({ deviceId, pin }) => ({ deviceId, pin }));
  }

  all(): RegisteredDevice[] {
    return [...this.#devices];
  }

  get size(): number {
    return this.#devices.length;
  }
}
