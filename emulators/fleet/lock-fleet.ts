import type { z } from "zod";
import type { FleetFileSchema } from "./fleet-file.ts";

/**
 * A lock of each type the smart-lock open API names that hilfarm models: four that connect themselves (Wi-Fi,
 * keepalive Wi-Fi, video, access control) and a Zigbee lock and a Zigbee hotel lock behind one gateway. The lock-API
 * tests, its emulated conformance target and its real-time checks all run on it.
 */
export const LOCK_FLEET = {
  devices: ["smart-lock", "keepalive-lock", "video-lock", "access-control"].map((profile) => ({
    profile,
    count: 1,
  })),
  gateways: [
    {
      profile: "zigbee-gateway",
      count: 1,
      subDevices: [
        { profile: "zigbee-lock", count: 1 },
        { profile: "hotel-lock", count: 1 },
      ],
    },
  ],
} satisfies z.input<typeof FleetFileSchema>;
