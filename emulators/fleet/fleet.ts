import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import type { Connector } from "../../harness/link/socket-link.ts";
import type { Random } from "../../harness/random/random.ts";
import { type DeviceObserver, EmulatedDevice } from "../device/emulated-device.ts";
import { type DeviceLanSide, type LanAddresses, startLanSide } from "../device/lan/lan-side.ts";
import type { DeviceModel, KeypadOutcome } from "../device/model.ts";
import type { DeviceTiming } from "../device/options.ts";
import { GatewayModel } from "../gateway/gateway-model.ts";
import { ProfileModel } from "../profiles/profile-model.ts";
import { type FleetLanOptions, lanPlaces } from "./fleet-lan.ts";
import type { FleetPlan } from "./fleet-plan.ts";

export interface FleetOptions {
  plan: FleetPlan;
  loginAddress: string;
  clock: Clock;
  /** The run's randomness; device N uses `random.fork("device/<id>")`. */
  random: Random;
  logger: Logger;
  /** One connector for all, or one per device (each device's links then fail on their own). */
  connector: Connector | ((deviceId: string) => Connector);
  timing?: Partial<DeviceTiming>;
  /** One observer for every device (a load farm's measurements). */
  observer?: DeviceObserver;
  /**
   * The LAN side (Md, chapter 6) of every device and gateway (sub-devices have none), started by `startLan`: on free
   * ports of 127.0.0.1 unless told otherwise; `false`: none.
   */
  lan?: FleetLanOptions | false;
}

/** A started fleet: every planned device as an `EmulatedDevice`, powered on. */
export class Fleet {
  readonly devices: EmulatedDevice[];
  private readonly options: FleetOptions;
  private readonly lanSides = new Map<string, DeviceLanSide>();

  constructor(options: FleetOptions) {
    this.options = options;
    this.devices = options.plan.devices.map((planned) => {
      let model: DeviceModel;
      if (planned.profile.kind === "gateway") {
        const gateway = new GatewayModel(planned.deviceId, planned.profile);
        for (const sub of planned.subDevices) gateway.addSubDevice(sub.deviceId, sub.pin, sub.profile);
        model = gateway;
      } else model = new ProfileModel(planned.deviceId, planned.profile, planned.pin);
      return new EmulatedDevice({
        deviceId: planned.deviceId,
        pin: planned.pin,
        model,
        loginAddress: options.loginAddress,
        clock: options.clock,
        random: options.random.fork(`device/${planned.deviceId}`),
        logger: options.logger,
        connector:
          typeof options.connector === "function" ? options.connector(planned.deviceId) : options.connector,
        transport: options.plan.transport,
        misbehaviour: planned.misbehaviour,
        ...(options.timing === undefined ? {} : { timing: options.timing }),
        ...(options.observer === undefined ? {} : { observer: options.observer }),
      });
    });
  }

  /**
   * Starts the LAN side of every device (before powering them on, so each onConfig window opens at its power-on), and
   * gives their addresses by device id. Nothing when the fleet's `lan` is `false`; once started, started.
   */
  async startLan(): Promise<Record<string, LanAddresses>> {
    const { lan, plan, clock, random, logger } = this.options;
    if (lan === false || this.lanSides.size > 0) return this.lanAddresses();
    const places = lanPlaces(plan.devices.length, lan);
    const started = await Promise.allSettled(
      plan.devices.map(async (planned, i) => {
        const side = await startLanSide(this.devices[i] as EmulatedDevice, {
          clock,
          random,
          pin: planned.pin,
          ...(places[i] as (typeof places)[number]),
          ...(lan?.flagOrder === undefined ? {} : { flagOrder: lan.flagOrder }),
          logger,
        });
        this.lanSides.set(planned.deviceId, side);
      }),
    );
    const failed = started.find((outcome) => outcome.status === "rejected");
    if (failed !== undefined) {
      // One port taken: none of the fleet's LAN sides is left listening.
      await this.closeLan();
      throw failed.reason;
    }
    return this.lanAddresses();
  }

  /** The LAN addresses of every device whose LAN side runs, by device id, in the plan's order. */
  lanAddresses(): Record<string, LanAddresses> {
    const out: Record<string, LanAddresses> = {};
    for (const device of this.devices) {
      const side = this.lanSides.get(device.deviceId);
      if (side !== undefined) out[device.deviceId] = { discovery: side.discovery, control: side.control };
    }
    return out;
  }

  lanSide(deviceId: string): DeviceLanSide | undefined {
    return this.lanSides.get(deviceId);
  }

  /** Powers every device off and closes the LAN sides. */
  async close(): Promise<void> {
    this.powerOff();
    await this.closeLan();
  }

  private async closeLan(): Promise<void> {
    const sides = [...this.lanSides.values()];
    this.lanSides.clear();
    await Promise.all(sides.map((side) => side.close()));
  }

  get(deviceId: string): EmulatedDevice | undefined {
    return this.devices.find((d) => d.deviceId === deviceId);
  }

  /** The emulated device that speaks for `deviceId`: itself, or the gateway a sub-device sits behind. */
  carrierOf(deviceId: string): EmulatedDevice | undefined {
    const own = this.get(deviceId);
    if (own !== undefined) return own;
    const plan = this.options.plan.devices.find((d) => d.subDevices.some((s) => s.deviceId === deviceId));
    return plan === undefined ? undefined : this.get(plan.deviceId);
  }

  /** A code typed at the keypad of lock `deviceId` (a Wi-Fi lock, or a Zigbee lock through its gateway). */
  typeCode(deviceId: string, code: string): Promise<KeypadOutcome> {
    const carrier = this.carrierOf(deviceId);
    if (carrier === undefined)
      return Promise.reject(new Error(`no device ${JSON.stringify(deviceId)} in the fleet`));
    return carrier.typeCode(code, deviceId);
  }

  powerOn(): void {
    for (const device of this.devices) device.powerOn();
  }

  powerOff(): void {
    for (const device of this.devices) device.powerOff();
  }

  online(): number {
    return this.devices.filter((d) => d.state === "online").length;
  }

  /** Online devices by model, sub-devices counted as online when their gateway is and they were accepted. */
  summary(): {
    devices: number;
    online: number;
    byModel: Record<string, { devices: number; online: number }>;
  } {
    const byModel: Record<string, { devices: number; online: number }> = {};
    let devices = 0;
    let online = 0;
    const count = (model: string, isOnline: boolean) => {
      byModel[model] ??= { devices: 0, online: 0 };
      const entry = byModel[model];
      entry.devices++;
      devices++;
      if (isOnline) {
        entry.online++;
        online++;
      }
    };
    for (const device of this.devices) {
      const up = device.state === "online";
      count(device.model.model, up);
      if (device.model instanceof GatewayModel) {
        for (const sub of device.model.subDevices.values())
          count(sub.model.model, up && sub.authenticated && sub.present && sub.bound);
      }
    }
    return { devices, online, byModel };
  }
}
