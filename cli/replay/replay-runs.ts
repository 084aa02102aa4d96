import type { Logger } from "pino";
import { EmulatedDevice } from "../../emulators/device/emulated-device.ts";
import { type Misbehaviour, misbehaviourNames } from "../../emulators/device/misbehaviour.ts";
import { type Platform, startPlatform } from "../../emulators/platform/platform.ts";
import type { RegisteredDevice } from "../../emulators/platform/registry/registry.ts";
import { Registry } from "../../emulators/platform/registry/registry.ts";
import { shippedProfiles } from "../../emulators/profiles/load.ts";
import { ProfileModel } from "../../emulators/profiles/profile-model.ts";
import { replayDeviceSide } from "../../emulators/replay/device-side.ts";
import { replayPlatformSide } from "../../emulators/replay/platform-side.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { QUIET_TURNS, RealClock, VirtualClock } from "../../harness/clock/index.ts";
import { showValue, UsageError } from "../../harness/errors.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import type { Recording } from "../../harness/replay/recording.ts";
import type { ReplayOutcome } from "../../harness/replay/verdict.ts";
import { attachRealDevices } from "../real-devices.ts";

/** A replay's outcome, and how it ran (the report's target line). */
export interface ReplayRun {
  outcome: ReplayOutcome;
  target: string;
}

/** A PIN for a device only hilfarm's own platform and emulators know (recordings mask the real one). */
const STAND_IN_PIN = "R3PLAYR3PLAYR3PLAYR3PLAYR3PLAY00";

/** The heartBeat the recorded 1005 gave, when it has one: hilfarm's platform gives the same. */
export function recordedHeartbeat(recording: Recording): number | undefined {
  const connect = recording.frames.find((f) => f.code === 1005);
  const value = Number(connect?.body.heartBeat);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

interface PlatformSettings {
  heartbeat: number;
  seed: number;
  logger: Logger;
}

/** Where a platform that a device under test logs in to listens (an emulated one: any free port of 127.0.0.1). */
export interface ListenSettings {
  host: string;
  ports: { loginPort: number; tcpPort: number; udpPort: number; httpPort: number };
}

const anyFreePort: ListenSettings = {
  host: "127.0.0.1",
  ports: { loginPort: 0, tcpPort: 0, udpPort: 0, httpPort: 0 },
};

function startReplayPlatform(
  clock: Clock,
  device: RegisteredDevice,
  settings: PlatformSettings,
  listen: ListenSettings = anyFreePort,
) {
  return startPlatform({
    registry: Registry.fromDevices([device]),
    clock,
    random: seededRandom(settings.seed),
    logger: settings.logger,
    host: listen.host,
    ...listen.ports,
    mqtt: "none",
    timing: { heartbeatSeconds: settings.heartbeat },
  });
}

/** The device's side against a platform: hilfarm's (`emulated`, on virtual time) or one at `host:port` (real time). */
export async function replayAgainstPlatform(
  recording: Recording,
  options: {
    platform: string;
    device?: RegisteredDevice;
    transport?: "tcp" | "udp";
    settings: PlatformSettings;
  },
): Promise<ReplayRun> {
  if (options.platform !== "emulated") {
    if (options.device === undefined)
      throw new UsageError(
        "registry",
        `--platform ${options.platform}: give --registry with device ${recording.deviceId} (its PIN: recordings mask it)`,
      );
    const outcome = await replayDeviceSide({
      recording,
      clock: new RealClock(),
      loginAddress: options.platform,
      pin: options.device.pin,
      ...(options.transport === undefined ? {} : { transport: options.transport }),
    });
    return { outcome, target: `platform at ${options.platform} (real time)` };
  }
  const clock = new VirtualClock({ quietTurns: QUIET_TURNS });
  const device = options.device ?? { deviceId: recording.deviceId, pin: STAND_IN_PIN };
  const platform = await startReplayPlatform(clock, device, options.settings);
  try {
    const outcome = await clock.runUntilSettled(
      replayDeviceSide({
        recording,
        clock,
        loginAddress: platform.addresses.login,
        pin: device.pin,
        ...(options.transport === undefined ? {} : { transport: options.transport }),
      }),
    );
    return {
      outcome,
      target: `hilfarm's platform in process, virtual time (heartBeat ${options.settings.heartbeat} s)`,
    };
  } finally {
    await platform.close();
  }
}

/** `--misbehaviour name[=value]`: a fault switch of the emulated device (true, or a count). */
export function parseMisbehaviour(text: string, previous: Partial<Misbehaviour> = {}): Partial<Misbehaviour> {
  const [name = "", value] = text.split("=", 2);
  if (!(misbehaviourNames as string[]).includes(name))
    throw new UsageError(
      "misbehaviour",
      `--misbehaviour ${showValue(text)}: not a fault switch; one of ${misbehaviourNames.join(", ")}`,
    );
  const parsed = value === undefined || value === "true" ? true : value === "false" ? false : Number(value);
  if (typeof parsed === "number" && !(Number.isInteger(parsed) && parsed >= 0))
    throw new UsageError(
      "misbehaviour",
      `--misbehaviour ${showValue(text)}: the value is true, false or a count`,
    );
  return { ...previous, [name]: parsed };
}

/**
 * The platform's side against a device: hilfarm's platform plays the recorded requests to an emulated device on
 * virtual time (`emulated`), or waits for the device under test to log in (`wait`, real time).
 */
export async function replayAgainstDevice(
  recording: Recording,
  options: {
    device: "emulated" | "wait";
    registered?: RegisteredDevice;
    profile?: string;
    misbehaviour: Partial<Misbehaviour>;
    sessionWaitMs: number;
    settings: PlatformSettings;
    /** With `wait`: where the platform listens. */
    listen?: ListenSettings;
    /** With `wait`: how the device reaches the platform when not over the network (`serial://...`, `mqtt://...`). */
    attach?: string;
    onReady?: (platform: Platform) => void;
  },
): Promise<ReplayRun> {
  if (options.device === "wait") {
    if (options.registered === undefined)
      throw new UsageError("registry", `--device wait: give --registry with device ${recording.deviceId}`);
    const clock = new RealClock();
    const platform = await startReplayPlatform(clock, options.registered, options.settings, options.listen);
    const { login, connectionServers } = platform.addresses;
    const link = await attachRealDevices(
      [{ ...options.registered, attach: options.attach ?? "network" }],
      { login, tcp: connectionServers[0]?.tcp ?? "", udp: connectionServers[0]?.udp ?? "" },
      { clock, logger: options.settings.logger, host: options.listen?.host ?? "127.0.0.1" },
    ).catch(async (error: unknown) => {
      await platform.close();
      throw error;
    });
    try {
      options.onReady?.(platform);
      const outcome = await replayPlatformSide({
        recording,
        clock,
        platform,
        sessionWaitMs: options.sessionWaitMs,
      });
      const [how] = link.described();
      return { outcome, target: `device ${recording.deviceId}, ${how?.attach ?? "network"} (real time)` };
    } finally {
      await link.close();
      await platform.close();
    }
  }
  const profile = await profileFor(recording, options.profile);
  const registered = { deviceId: recording.deviceId, pin: STAND_IN_PIN, model: profile.name };
  const clock = new VirtualClock({ quietTurns: QUIET_TURNS });
  const platform = await startReplayPlatform(clock, registered, options.settings);
  const device = new EmulatedDevice({
    deviceId: recording.deviceId,
    pin: STAND_IN_PIN,
    model: new ProfileModel(recording.deviceId, profile.profile, STAND_IN_PIN),
    loginAddress: platform.addresses.login,
    clock,
    random: seededRandom(options.settings.seed).fork(`device/${recording.deviceId}`),
    logger: options.settings.logger,
    connector: socketConnector(),
    transport: "tcp",
    misbehaviour: options.misbehaviour,
  });
  try {
    device.powerOn();
    const outcome = await clock.runUntilSettled(
      replayPlatformSide({ recording, clock, platform, sessionWaitMs: options.sessionWaitMs }),
    );
    const faults = Object.entries(options.misbehaviour).map(([k, v]) => `${k}=${String(v)}`);
    return {
      outcome,
      target: `emulated ${profile.name} on virtual time${faults.length === 0 ? "" : ` with ${faults.join(", ")}`}`,
    };
  } finally {
    device.powerOff();
    await platform.close();
  }
}

/** The profile named, or the one whose model the recorded 1004 gives. */
async function profileFor(recording: Recording, name: string | undefined) {
  const profiles = await shippedProfiles();
  if (name !== undefined) {
    const profile = profiles.get(name);
    if (profile === undefined)
      throw new UsageError(
        "profile",
        `--profile ${showValue(name)}: one of ${[...profiles.keys()].join(", ")}`,
      );
    return { name, profile };
  }
  const model = recording.frames.find((f) => f.code === 1004)?.body.model;
  for (const [profileName, profile] of profiles)
    if (profile.model === model && profile.kind !== "gateway") return { name: profileName, profile };
  throw new UsageError(
    "profile",
    `no shipped profile has the recorded model ${showValue(model)}: name one with --profile`,
  );
}
