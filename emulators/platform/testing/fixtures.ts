import { pino } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { seededRandom } from "../../../harness/random/random.ts";
import { type Platform, type PlatformOptions, startPlatform } from "../platform.ts";
import { Registry } from "../registry/index.ts";

export const GATEWAY = {
  deviceId: "00000000000000000000gw01",
  pin: "GWPIN0123456789abcdefghijklmnopq",
  model: "CT-GW-01",
};
export const PLUG = {
  deviceId: "0000000000000000000plug1",
  pin: "PLUGPIN0123456789abcdefghijklmno",
  model: "CT-PLUG-01",
};
export const SENSOR = {
  deviceId: "00000000000000000000zb01",
  pin: "ZBPIN0123456789abcdefghijklmnopq",
  model: "ZB-TEMP-01",
  parentId: GATEWAY.deviceId,
};
export const LOCK = {
  deviceId: "00000000000000000000zb02",
  pin: "ZBPIN2123456789abcdefghijklmnopq",
  model: "LOCK-01",
  parentId: GATEWAY.deviceId,
};

export const testRegistry = () => Registry.fromDevices([GATEWAY, PLUG, SENSOR, LOCK]);

/** A platform on 127.0.0.1 with free ports, a fixed seed, no MQTT unless asked, and silent logs. */
export function startTestPlatform(clock: Clock, options: Partial<PlatformOptions> = {}): Promise<Platform> {
  return startPlatform({
    registry: testRegistry(),
    clock,
    random: seededRandom(42),
    logger: pino({ level: "silent" }),
    host: "127.0.0.1",
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "none",
    ...options,
  });
}
