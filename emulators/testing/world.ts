import { pino } from "pino";
import { QUIET_TURNS, VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { EvidenceSlot } from "../../harness/evidence/evidence-slot.ts";
import { type Connector, socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import type { DeviceTiming } from "../device/options.ts";
import { Fleet } from "../fleet/fleet.ts";
import { FleetFileSchema } from "../fleet/fleet-file.ts";
import { fleetRegistry, planFleet } from "../fleet/fleet-plan.ts";
import { type Platform, type PlatformOptions, startPlatform } from "../platform/platform.ts";
import { Registry } from "../platform/registry/index.ts";
import { shippedProfiles } from "../profiles/load.ts";

export const silent = pino({ level: "silent" });

export interface WorldOptions {
  fleet: Record<string, unknown>;
  platform?: Partial<PlatformOptions>;
  /** Drop these devices from the platform's registry (a platform that refuses their logins). */
  unregistered?: (deviceId: string) => boolean;
  /** The devices' connector, or one per device made on the world's clock (to wrap links in faults on that clock). */
  connector?: Connector | ((clock: VirtualClock, deviceId: string) => Connector);
  timing?: Partial<DeviceTiming>;
  /** Where the world's frames go as evidence: the platform's and every device's. */
  evidence?: EvidenceSlot;
  /** The virtual clock's start (default `VIRTUAL_EPOCH`): `Date.now()` for a peer that signs with the real time. */
  clockStart?: number;
}

/** The reference platform and a fleet on one VirtualClock, over real sockets on 127.0.0.1. */
export async function startWorld(options: WorldOptions) {
  const clock = new VirtualClock({
    quietTurns: QUIET_TURNS,
    ...(options.clockStart === undefined ? {} : { start: options.clockStart }),
  });
  const profiles = await shippedProfiles();
  const plan = planFleet({ ...FleetFileSchema.parse(options.fleet), baseDir: "." }, profiles);
  const registered = fleetRegistry(plan).filter((d) => !(options.unregistered?.(d.deviceId) ?? false));
  const platform: Platform = await startPlatform({
    registry: Registry.fromDevices(registered),
    clock,
    random: seededRandom(7),
    logger: silent,
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "none",
    ...options.platform,
  });
  const sockets = socketConnector();
  const fleet = new Fleet({
    plan,
    loginAddress: platform.addresses.login,
    clock,
    random: seededRandom(11),
    logger: silent,
    connector: (deviceId: string) =>
      typeof options.connector === "function"
        ? options.connector(clock, deviceId)
        : (options.connector ?? sockets),
    ...(options.timing === undefined ? {} : { timing: options.timing }),
  });
  const detach: Array<() => void> = [];
  if (options.evidence !== undefined) {
    detach.push(options.evidence.recordPlatform(platform, clock));
    for (const planned of plan.devices) {
      const emulated = fleet.get(planned.deviceId);
      if (emulated !== undefined) detach.push(options.evidence.recordDevice(emulated));
    }
  }
  const device = (profileName: string, n = 0) => {
    const planned = plan.devices.filter((d) => d.profileName === profileName)[n];
    const found = planned === undefined ? undefined : fleet.get(planned.deviceId);
    if (found === undefined) throw new Error(`no ${profileName} #${n} in the fleet`);
    return found;
  };
  const close = async () => {
    fleet.powerOff();
    await platform.close();
    for (const stop of detach) stop();
  };
  return { clock, platform, fleet, plan, device, close };
}
