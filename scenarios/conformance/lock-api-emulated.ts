import type { Misbehaviour } from "../../emulators/device/misbehaviour.ts";
import { LOCK_FLEET } from "../../emulators/fleet/lock-fleet.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { flaggedLockTypes, type LockApiTarget, lockApiTarget, lockFlags } from "./lock-api-target.ts";

/** The client hilfarm's emulated lock API knows. */
export const EMULATED_LOCK_CLIENT_ID = "hilfarmconformance01";
export const EMULATED_LOCK_SECRET = "c0nf0rmanceL0ckApiSecret32chars!";
/**
 * The emulated access token lives 10 minutes (the default is 2 hours): the expiry clause waits it out on virtual
 * time without running two hours of heartbeats.
 */
export const EMULATED_LOCK_TOKEN_LIFETIME_MS = 10 * 60_000;

export interface EmulatedLockApiOptions {
  /** Switches of the Wi-Fi lock (e.g. `refuseKeyOrders`). */
  wifi?: Partial<Misbehaviour>;
  /** Switches of the Zigbee lock's gateway, which act for its sub-devices (`refuseKeyOrders`, `subDeviceSilentTries`). */
  gateway?: Partial<Misbehaviour>;
  seed?: number;
}

/**
 * hilfarm's platform with the lock-API surface and a fleet of a lock of each type (the Zigbee and hotel locks behind
 * one gateway), all online, on a VirtualClock in this process. It can silence the Zigbee locks
 * (`subDeviceSilentTries`) and type codes at any keypad.
 */
export async function emulatedLockApiTarget(options: EmulatedLockApiOptions = {}): Promise<LockApiTarget> {
  const { pino } = await import("pino");
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const { Fleet } = await import("../../emulators/fleet/fleet.ts");
  const { FleetFileSchema } = await import("../../emulators/fleet/fleet-file.ts");
  const { fleetRegistry, planFleet } = await import("../../emulators/fleet/fleet-plan.ts");
  const { loadProfiles } = await import("../../emulators/profiles/load.ts");
  const seed = options.seed ?? 1;
  const logger = pino({ level: "silent" });
  // Virtual time over real sockets: loopback I/O gets more turns per step than the default.
  const clock = new VirtualClock({ ioTurns: 200 });
  const plan = planFleet(
    { ...FleetFileSchema.parse({ seed, ...LOCK_FLEET }), baseDir: "." },
    await loadProfiles(),
  );
  const platform = await startPlatform({
    registry: Registry.fromDevices(fleetRegistry(plan)),
    clock,
    random: seededRandom(seed + 1),
    logger,
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "none",
    lockApi: {
      clients: [{ clientId: EMULATED_LOCK_CLIENT_ID, secret: EMULATED_LOCK_SECRET }],
      tokenLifetimeMs: EMULATED_LOCK_TOKEN_LIFETIME_MS,
    },
  });
  const sockets = socketConnector();
  const fleet = new Fleet({
    plan,
    loginAddress: platform.addresses.login,
    clock,
    random: seededRandom(seed + 2),
    logger,
    connector: () => sockets,
  });
  const close = async () => {
    fleet.powerOff();
    await platform.close();
  };
  try {
    fleet.powerOn();
    const everyone = plan.devices.flatMap((d) => [d, ...d.subDevices]);
    await clock.runUntil(() =>
      everyone.every((d) => platform.store.get(d.deviceId)?.version.device !== undefined),
    );
    const deviceOf = (profile: string) => {
      const planned = plan.devices.find((d) => d.profileName === profile);
      const found = planned === undefined ? undefined : fleet.get(planned.deviceId);
      if (found === undefined) throw new Error(`no ${profile} in the lock fleet`);
      return found;
    };
    const wifi = deviceOf("smart-lock");
    const gateway = deviceOf("zigbee-gateway");
    const subDevices = plan.devices.find((d) => d.subDevices.length > 0)?.subDevices ?? [];
    const subOf = (profile: string) => subDevices.find((d) => d.profileName === profile)?.deviceId ?? "";
    Object.assign(wifi.misbehaviour, options.wifi ?? {});
    Object.assign(gateway.misbehaviour, options.gateway ?? {});
    const url = platform.addresses.surfaces["lock-api"]?.http ?? "";
    return lockApiTarget({
      url,
      clientId: EMULATED_LOCK_CLIENT_ID,
      secret: EMULATED_LOCK_SECRET,
      locks: {
        wifi: wifi.deviceId,
        "keepalive-wifi": deviceOf("keepalive-lock").deviceId,
        "wifi-video": deviceOf("video-lock").deviceId,
        "wifi-access-control": deviceOf("access-control").deviceId,
        zigbee: subOf("zigbee-lock"),
        "zigbee-hotel": subOf("hotel-lock"),
      },
      clock,
      random: seededRandom(seed + 3),
      capabilities: ["misbehaviour", "platform-internals"],
      description: `hilfarm's emulated lock API at ${url}, virtual time`,
      silenceZigbee: () => {
        const before = gateway.misbehaviour.subDeviceSilentTries;
        // Every radio try unanswered: the gateway gives up after its tries and answers 300001.
        gateway.misbehaviour.subDeviceSilentTries = Number.MAX_SAFE_INTEGER;
        return () => {
          gateway.misbehaviour.subDeviceSilentTries = before;
        };
      },
      typeAtLock: async (deviceId, code) => {
        const outcome = await clock.runUntilSettled(fleet.typeCode(deviceId, code));
        return { opened: outcome.kind === "open" };
      },
      close,
    });
  } catch (error) {
    await close();
    throw error;
  }
}

export const EMULATED = "emulated";

/**
 * The target `hilfarm run` suites use, from the environment: HILFARM_LOCK_API_URL (`emulated`, the default, or a base
 * URL), HILFARM_LOCK_API_CLIENT_ID, HILFARM_LOCK_API_SECRET and a lock of each type: HILFARM_WIFI_LOCK,
 * HILFARM_ZIGBEE_LOCK, HILFARM_KEEPALIVE_LOCK, HILFARM_VIDEO_LOCK, HILFARM_ACCESS_CONTROL, HILFARM_HOTEL_LOCK (the
 * flag's name in capitals).
 */
export async function lockApiTargetFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<LockApiTarget> {
  const url = env.HILFARM_LOCK_API_URL ?? EMULATED;
  if (url === EMULATED) return emulatedLockApiTarget();
  return lockApiTarget({
    url,
    clientId: env.HILFARM_LOCK_API_CLIENT_ID ?? "",
    secret: env.HILFARM_LOCK_API_SECRET ?? "",
    locks: Object.fromEntries(
      flaggedLockTypes.flatMap((type) => {
        const id = env[`HILFARM_${lockFlags[type].replace(/-/g, "_").toUpperCase()}`];
        return id === undefined ? [] : [[type, id]];
      }),
    ),
  });
}
