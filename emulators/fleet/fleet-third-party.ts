import { z } from "zod";

/**
 * The `thirdParty` section of a fleet file: an emulated third-party platform (chapter 7, C21-C31) that `hilfarm up`
 * starts beside the reference platform, with its own devices (profiles by name, as the fleet's), the credentials
 * exchanged offline (7.2 step 1) and its misbehaviour switches (emulators/third-party/misbehaviour.ts).
 */
const Count = z.number().int().min(0).max(10_000);
const Entry = z.strictObject({ profile: z.string().min(1), count: Count });
const Millis = z.number().int().min(0);

export const FleetThirdPartySchema = z.strictObject({
  /** 7.3.2.1: what the smart-home platform's C21 presents. */
  cloudId: z.string().min(1),
  cloudKey: z.string().min(1),
  /** 7.3.1.1: what the third party's C11 presents to the smart-home platform (`up`: its interop credentials). */
  platformId: z.string().min(1).default("hilfarm-smart-home"),
  platformKey: z.string().min(1),
  host: z.ipv4().or(z.ipv6()).default("127.0.0.1"),
  /** 0: a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  devices: z.array(Entry).default([]),
  gateways: z.array(Entry.extend({ subDevices: z.array(Entry).default([]) })).default([]),
  /** C21 tokens' lifetime; default 2 hours. */
  tokenLifetimeMs: z.number().int().min(1).optional(),
  misbehaviour: z
    .strictObject({
      slowAnswersMs: Millis.optional(),
      tokenLifetimeMs: Millis.optional(),
      wrongCodes: z.boolean().optional(),
      dropNotifications: z.boolean().optional(),
    })
    .optional(),
});

export type FleetThirdParty = z.output<typeof FleetThirdPartySchema>;
