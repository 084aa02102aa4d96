import { seededRandom } from "../../../../harness/random/random.ts";
import { startWorld, type WorldOptions } from "../../../testing/world.ts";
import type { EmulatedDevice } from "../../emulated-device.ts";
import type { DeviceContext } from "../../model.ts";
import { type DeviceLanSide, type LanSideOptions, startLanSide } from "../lan-side.ts";
import { LanSearcher, LanTestClient } from "./lan-test-client.ts";

/** The LAN side's randomness in these worlds: the mac and bindKey follow from it. */
export const LAN_SEED = 3;

export interface LanWorldOptions {
  /** Default: one air conditioner. */
  fleet?: Record<string, unknown>;
  /** The profile of the device that gets the LAN side. */
  profile?: string;
  lan?: Partial<LanSideOptions>;
  /** More of the world's options (a platform that refuses the device: `unregistered`). */
  world?: Omit<WorldOptions, "fleet">;
  /** Power the device on and wait until it is online with its reports in (default true). */
  online?: boolean;
}

/**
 * The reference platform, a fleet on a VirtualClock, and a LAN side on free ports of 127.0.0.1 for one of its
 * devices, with the clients that a test opens closed with it.
 */
export async function startLanWorld(options: LanWorldOptions = {}) {
  const profile = options.profile ?? "air-conditioner";
  const world = await startWorld({
    ...options.world,
    fleet: options.fleet ?? { devices: [{ profile, count: 1 }] },
  });
  const { clock, platform, plan } = world;
  const device = world.device(profile);
  const planned = plan.devices.find((d) => d.deviceId === device.deviceId);
  if (planned === undefined) throw new Error("device not planned");
  const pin = planned.pin;
  const lan: DeviceLanSide = await startLanSide(device, {
    clock,
    random: seededRandom(LAN_SEED),
    pin,
    host: "127.0.0.1",
    discoveryPort: 0,
    controlPort: 0,
    ...options.lan,
  });
  const opened: Array<{ close(): void }> = [];
  const poweredOnAt = clock.now();
  if (options.online ?? true) {
    device.powerOn();
    await clock.runUntil(
      () => device.state === "online" && platform.store.get(device.deviceId)?.version.device !== undefined,
    );
  }
  const client = async () => {
    const c = await LanTestClient.connect(lan.control);
    opened.push(c);
    return c;
  };
  /** A client authenticated with the device's own lanKey. */
  const authed = async (liveTime = "300") => {
    const c = await client();
    const answer = await c.auth(device.deviceId, pin, { liveTime });
    if (answer.cmd !== "resp" || answer.code !== 0)
      throw new Error(`auth refused: ${JSON.stringify(answer)}`);
    return c;
  };
  const searcher = async () => {
    const s = await LanSearcher.open(lan.discovery);
    opened.push(s);
    return s;
  };
  const close = async () => {
    for (const c of opened) c.close();
    await lan.close();
    await world.close();
  };
  return { ...world, device, pin, lan, poweredOnAt, client, authed, searcher, close };
}

export type LanWorld = Awaited<ReturnType<typeof startLanWorld>>;

/** The context a device model acts in (a change the device makes itself, as a sensor reading). */
export function contextOf(device: EmulatedDevice): DeviceContext {
  return (device as unknown as { context(): DeviceContext }).context();
}
