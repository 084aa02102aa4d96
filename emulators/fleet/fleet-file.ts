import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { parseJsonFile } from "../../harness/json-file.ts";
import { misbehaviourNames } from "../device/misbehaviour.ts";
import { FleetThirdPartySchema } from "./fleet-third-party.ts";

const Count = z.number().int().min(0).max(100_000);

/** Fault switches for every device of an entry, at start (see emulators/device/misbehaviour.ts). */
const Misbehaviour = z.partialRecord(
  z.enum(misbehaviourNames as [string, ...string[]]),
  z.union([z.boolean(), z.number().int().min(0)]),
);

/**
 * A real device beside the emulated ones (a mixed fleet): its registry entry, and how it reaches the platform:
 * `network` (it logs in to the platform's login address itself), a UART (`serial:///dev/ttyUSB0?baud=115200`), or
 * an MQTT link (`mqtt://host:port`, or `embedded`: frames on hilfarm/link/<deviceId>/up|down).
 */
export const RealDeviceSchema = z.strictObject({
  deviceId: z.string().min(1).max(64),
  pin: z.string().length(32),
  model: z.string().min(1).optional(),
  attach: z
    .string()
    .regex(
      /^(network|embedded|serial:\/\/.+|mqtt:\/\/.+)$/,
      "expected network, serial://<port>, mqtt://<host>:<port> or embedded",
    )
    .default("network"),
});

export type RealDevice = z.output<typeof RealDeviceSchema>;

/** A fleet: how many devices of which profile, gateways with their sub-device mix, and where credentials come from. */
export const FleetFileSchema = z.strictObject({
  /** Seeds device ids, PINs and every device's randomness. */
  seed: z.number().int().min(0).default(1),
  /** Directory of profiles, relative to the fleet file; default: the shipped profiles. */
  profiles: z.string().optional(),
  devices: z
    .array(
      z.strictObject({ profile: z.string().min(1), count: Count, misbehaviour: Misbehaviour.optional() }),
    )
    .default([]),
  gateways: z
    .array(
      z.strictObject({
        profile: z.string().min(1),
        count: Count,
        misbehaviour: Misbehaviour.optional(),
        subDevices: z.array(z.strictObject({ profile: z.string().min(1), count: Count })).default([]),
      }),
    )
    .default([]),
  /** Real devices the platform carries beside the emulated ones: listed first, and marked, in every report. */
  real: z.array(RealDeviceSchema).default([]),
  /** `auto` follows the spec (UDP first, TCP after the third authentication); `tcp` or `udp` forces one. */
  transport: z.enum(["auto", "tcp", "udp"]).default("auto"),
  /** Take ids and PINs from this registry (matched by model) instead of generating them from the seed. */
  registry: z.string().optional(),
  /** The devices' LAN sides (Md, chapter 6); `hilfarm up --no-lan`, `--lan-host`, `--lan-ports` override it. */
  lan: z
    .strictObject({
      /** false: no LAN side for any device. */
      enabled: z.boolean().default(true),
      host: z.ipv4().or(z.ipv6()).optional(),
      ports: z.enum(["free", "standard"]).optional(),
    })
    .optional(),
  /** An emulated third-party platform (chapter 7) that `hilfarm up` starts beside the reference platform. */
  thirdParty: FleetThirdPartySchema.optional(),
});

export type FleetFile = z.output<typeof FleetFileSchema> & { baseDir: string };

export async function loadFleetFile(path: string): Promise<FleetFile> {
  const data = parseJsonFile(await readFile(path, "utf8"), path, FleetFileSchema, "fleet");
  const baseDir = dirname(resolve(path));
  return {
    ...data,
    baseDir,
    ...(data.profiles === undefined ? {} : { profiles: resolve(baseDir, data.profiles) }),
    ...(data.registry === undefined ? {} : { registry: resolve(baseDir, data.registry) }),
  };
}
