import type { Clock } from "../../../harness/clock/clock.ts";
import type { McMessage } from "../../../harness/protocol/mc/schemas/index.ts";
import type { DeviceEvents, DeviceState } from "../device-events.ts";
import type { EmulatedDevice } from "../emulated-device.ts";
import { type Ota, ota, otaOfOutcome } from "./lan-attributes.ts";
import type { LanStateModel } from "./lan-state.ts";

export interface LanWatchHandlers {
  poweredOff(): void;
  /** A state report (2006) of the device's own statuses went out: whatever changed them, it is now the state. */
  reported(): void;
  /** The active faults or the upgrade in progress changed. */
  extrasChanged(): void;
}

interface ProfileFault {
  serialId?: string;
  errorCode?: string;
}

/**
 * What a LAN side learns of its device by watching it, never by reaching into the session machine: when it powered on
 * (the onConfig window, 6.2.1), whether it has logged in (authorised), the faults it reported (`fids`) and an upgrade
 * in progress (`ota`, 6.2.3), and every state report it sends (the cue for spontaneous posts, 6.2.5).
 */
export class LanDeviceWatch {
  /** Clock time of the last power-on; undefined while off. */
  powerOnAt: number | undefined;
  /** Logged in to the platform at least once: `lanControl` is 0 before (6.2.1). */
  authorised = false;
  /** 6.2.3: the upgrade in progress, from its 2025 until its 2026. */
  ota: Ota | undefined;
  private readonly faults = new Set<string>();
  private readonly detachAll: () => void;

  constructor(
    device: EmulatedDevice,
    private readonly state: LanStateModel,
    clock: Clock,
    handlers: LanWatchHandlers,
  ) {
    if (device.state !== "off") this.powerOnAt = clock.now();
    if (device.state === "online") this.authorised = true;
    const onState = (next: DeviceState) => {
      if (next === "online") this.authorised = true;
      if (next === "off") {
        this.powerOnAt = undefined;
        // Faults and an upgrade in progress do not outlive a power cycle.
        this.faults.clear();
        this.ota = undefined;
        handlers.poweredOff();
      } else if (this.powerOnAt === undefined) this.powerOnAt = clock.now();
    };
    const onFrame = ({ direction, message }: DeviceEvents["frame"][0]) => {
      if ((message.body as { deviceId?: unknown }).deviceId !== this.state.deviceId) return;
      if (direction === "out" && message.code === 2006) handlers.reported();
      else if (direction === "out" && message.code === 2010) {
        if (this.faultRaised(message)) handlers.extrasChanged();
      } else if (direction === "in" && message.code === 2025 && this.ota === undefined) {
        this.ota = ota(message.body.device === undefined ? "module" : "device", "start-download");
        handlers.extrasChanged();
      } else if (direction === "out" && message.code === 2026) {
        this.ota = otaOfOutcome(message.body);
        handlers.extrasChanged();
        // Reported once, finished: no longer in progress.
        this.ota = undefined;
      }
    };
    device.on("state", onState);
    device.on("frame", onFrame);
    this.detachAll = () => {
      device.off("state", onState);
      device.off("frame", onFrame);
    };
  }

  /** The profile's names of the faults reported since power-on (Mc has no report of a fault cleared). */
  activeFaults(): string[] {
    return [...this.faults];
  }

  detach(): void {
    this.detachAll();
  }

  private faultRaised(message: Extract<McMessage, { code: 2010 }>): boolean {
    const { serialId, errorCode } = message.body.error;
    const faults = this.state.profile.faults as Readonly<Record<string, ProfileFault>>;
    const name = Object.keys(faults).find(
      (key) => faults[key]?.errorCode === errorCode && (faults[key]?.serialId ?? "0") === serialId,
    );
    if (name === undefined || this.faults.has(name)) return false;
    this.faults.add(name);
    return true;
  }
}
