import { type Logger, pino } from "pino";
import type { EmulatedDevice } from "../../emulators/device/emulated-device.ts";
import type { Platform } from "../../emulators/platform/platform.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { EvidenceSlot } from "../../harness/evidence/evidence-slot.ts";
import { createLogger } from "../../harness/log/logger.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { seededRandom } from "../../harness/random/random.ts";
import type { Capability, TestDevice } from "./target.ts";

export interface LoggedFrame {
  direction: "in" | "out";
  message: McMessage;
  at: number;
}

/**
 * "The device" as a scenario sees it: hilfarm's platform listens, and the device under test (emulated in this
 * process, or a real or external one) connects to it. The platform keeps a log of the device's frames.
 */
export interface DeviceTarget {
  readonly description: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly clock: Clock;
  readonly platform: Platform;
  readonly device: TestDevice & { model?: string };
  /** Every frame between the platform and the device, in order, with the target's time. */
  readonly frames: LoggedFrame[];
  /** Answer codes the platform withholds on purpose from the device. */
  readonly withheld: Set<number>;
  /** Turns an emulated device on (a real one is switched on by the lab). */
  start(): void;
  settle<T>(promise: Promise<T>, maxMs: number): Promise<T>;
  close(): Promise<void>;
}

interface PlatformSide {
  clock: Clock;
  device: TestDevice & { model?: string };
  host?: string;
  ports?: { login: number; tcp: number; udp: number; http: number };
  /** Interface of the platform's HTTP API, and the bearer token it requires (see PlatformOptions). */
  httpHost?: string;
  apiToken?: string;
  heartbeatSeconds: number;
  /** Seed of the platform's random choices (tokens, session keys, sequences). */
  seed?: number;
  /** Where the frames between the platform and the device go as evidence, if anything records. */
  evidence?: EvidenceSlot;
  /** Where the platform logs on real time; default stderr (see `platformLogger`). */
  logger?: Logger;
  /** Other devices the platform knows (a background fleet beside the device under test): not recorded, not logged. */
  others?: ReadonlyArray<{ deviceId: string; pin: string; model?: string; parentId?: string }>;
}

/**
 * The platform's logger on real time: the side's (default stderr). Beside other devices (a background fleet) it logs
 * warnings only when the level is the default `info`: thousands of logins are noise; a level asked for is kept.
 */
function platformLogger(side: PlatformSide): Logger {
  const logger = side.logger ?? createLogger({ name: "certify" });
  return side.others !== undefined && logger.level === "info" ? logger.child({}, { level: "warn" }) : logger;
}

async function listen(side: PlatformSide, withheld: Set<number>) {
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const frames: LoggedFrame[] = [];
  const platform = await startPlatform({
    registry: Registry.fromDevices([{ ...side.device }, ...(side.others ?? [])]),
    clock: side.clock,
    random: seededRandom(side.seed ?? 1),
    logger: side.clock instanceof VirtualClock ? pino({ level: "silent" }) : platformLogger(side),
    host: side.host ?? "127.0.0.1",
    loginPort: side.ports?.login ?? 0,
    tcpPort: side.ports?.tcp ?? 0,
    udpPort: side.ports?.udp ?? 0,
    httpPort: side.ports?.http ?? 0,
    ...(side.httpHost === undefined ? {} : { httpHost: side.httpHost }),
    ...(side.apiToken === undefined ? {} : { apiToken: side.apiToken }),
    mqtt: "none",
    timing: { heartbeatSeconds: side.heartbeatSeconds },
    withholdAnswer: (deviceId, code) => deviceId === side.device.deviceId && withheld.has(code),
  });
  platform.events.on("frame", ({ direction, deviceId, message, at }) => {
    if (deviceId === side.device.deviceId) frames.push({ direction, message, at });
  });
  const detach = side.evidence?.recordPlatform(
    platform,
    side.clock,
    side.others === undefined ? undefined : (deviceId) => deviceId === side.device.deviceId,
  );
  // Logins are frames too (the session log starts at connect).
  platform.events.on("login", ({ deviceId }) => {
    if (deviceId === side.device.deviceId)
      frames.push({
        direction: "in",
        message: { code: 1002, body: { sequence: "0", deviceId, version: "", time: 0 } },
        at: side.clock.now(),
      });
  });
  const close = async () => {
    await platform.close();
    detach?.();
  };
  return { platform, frames, close };
}

function deadline<T>(clock: Clock, promise: Promise<T>, maxMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new Error(`nothing within ${maxMs} ms`)),
      maxMs,
      "target-deadline",
    );
    promise.then(
      (v) => {
        timer.cancel();
        resolve(v);
      },
      (e: unknown) => {
        timer.cancel();
        reject(e);
      },
    );
  });
}

/** A device of a shipped profile, emulated in this process with the platform, on a VirtualClock. */
export async function emulatedDeviceTarget(
  profileName = "air-conditioner",
  options: {
    heartbeatSeconds?: number;
    misbehaviour?: Partial<import("../../emulators/device/misbehaviour.ts").Misbehaviour>;
    evidence?: EvidenceSlot;
  } = {},
): Promise<DeviceTarget> {
  const heartbeatSeconds = options.heartbeatSeconds ?? 30;
  const { loadProfiles } = await import("../../emulators/profiles/load.ts");
  const { ProfileModel } = await import("../../emulators/profiles/profile-model.ts");
  const { EmulatedDevice } = await import("../../emulators/device/emulated-device.ts");
  const { socketConnector } = await import("../../harness/link/socket-link.ts");
  const profile = (await loadProfiles()).get(profileName);
  if (profile === undefined) throw new Error(`no profile ${profileName}`);
  const clock = new VirtualClock();
  const device = {
    deviceId: "0000aaaabbbbccccdddd0001",
    pin: "DUTPIN0123456789abcdefghijklmnop",
    model: profile.model,
  };
  const withheld = new Set<number>();
  const { evidence } = options;
  const side = { clock, device, heartbeatSeconds, evidence };
  const { platform, frames, close: closePlatform } = await listen(side, withheld);
  const emulated: EmulatedDevice = new EmulatedDevice({
    ...device,
    model: new ProfileModel(device.deviceId, profile),
    loginAddress: platform.addresses.login,
    clock,
    random: seededRandom(2),
    logger: pino({ level: "silent" }),
    connector: socketConnector(),
    ...(options.misbehaviour === undefined ? {} : { misbehaviour: options.misbehaviour }),
  });
  evidence?.recordDevice(emulated);
  return {
    description: `emulated ${profile.model} (in process, virtual time)`,
    capabilities: new Set<Capability>(["virtual-time", "platform-internals", "misbehaviour", "power-cycle"]),
    clock,
    platform,
    device,
    frames,
    withheld,
    start: () => emulated.powerOn(),
    settle: (promise, maxMs) => clock.runUntilSettled(deadline(clock, promise, maxMs), { maxMs: maxMs + 1 }),
    close: async () => {
      emulated.powerOff();
      await closePlatform();
    },
  };
}

/** A real or external device: hilfarm's platform listens on the real clock and waits for it to connect. */
export async function externalDeviceTarget(options: Omit<PlatformSide, "clock">): Promise<DeviceTarget> {
  const clock = new RealClock();
  const withheld = new Set<number>();
  const { platform, frames, close } = await listen({ ...options, clock }, withheld);
  return {
    description: `device ${options.device.deviceId} at the harness's platform ${platform.addresses.login}`,
    capabilities: new Set<Capability>(["platform-internals"]),
    clock,
    platform,
    device: options.device,
    frames,
    withheld,
    start: () => undefined,
    settle: (promise, maxMs) => deadline(clock, promise, maxMs),
    close,
  };
}
