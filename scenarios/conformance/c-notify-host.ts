import mqtt, { type MqttClient } from "mqtt";
import type { Clock } from "../../harness/clock/clock.ts";
import { MQTT_CLIENT_OPTIONS } from "../../harness/mqtt/client-options.ts";
import type { Random } from "../../harness/random/random.ts";
import type { TlsPaths } from "../../harness/tls/tls-material.ts";
import { pause } from "./c-probe.ts";

/**
 * The smart-home side the third-party suite hosts (7.3.1, C11-C18): hilfarm's reference platform with its `c-notify`
 * surface, whose URL the third party under test reports to. What reaches it is watched on the platform's MQTT
 * fan-out: a C16 publishes the device's `state`, a C15 that changes its presence `online`, so each report is seen
 * with the device it names.
 */

/** A report the hosted platform took: the device and the fan-out kind it published. */
export interface SeenReport {
  deviceSN: string;
  kind: string;
  /** When it was seen, on the suite's clock. */
  at: number;
}

export interface NotifyHost {
  /** `https://host:port` of the C11-C18 server: point the third party under test here. */
  readonly url: string;
  readonly platformId: string;
  /** A secret: never printed. */
  readonly platformKey: string;
  readonly seen: readonly SeenReport[];
  /** Waits (on `clock`) until a report matches, up to `maxMs`; the report or `undefined`. */
  waitFor(match: (r: SeenReport) => boolean, maxMs: number): Promise<SeenReport | undefined>;
  close(): Promise<void>;
}

export interface NotifyHostOptions {
  clock: Clock;
  random: Random;
  platformId: string;
  platformKey: string;
  /** The C11-C18 server's identity and the CA the third party's client certificate chains to. */
  tls: TlsPaths | { dir: string };
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
}

/** The step of a wait: a VirtualClock moves this far at a time, letting loopback I/O run at each. */
const VIRTUAL_STEP_MS = 100;
const FANOUT_TOPIC = /^hilfarm\/devices\/([^/]+)\/([^/]+)$/;

export async function startNotifyHost(options: NotifyHostOptions): Promise<NotifyHost> {
  const { pino } = await import("pino");
  const { startPlatform } = await import("../../emulators/platform/platform.ts");
  const { Registry } = await import("../../emulators/platform/registry/index.ts");
  const { clock } = options;
  const host = options.host ?? "127.0.0.1";
  const platform = await startPlatform({
    registry: Registry.fromDevices([]),
    clock,
    random: options.random,
    logger: pino({ level: "silent" }),
    host: "127.0.0.1",
    loginPort: 0,
    tcpPort: 0,
    udpPort: 0,
    httpPort: 0,
    mqtt: "embedded",
    interop: {
      platformId: options.platformId,
      platformKey: options.platformKey,
      tls: options.tls,
      port: options.port ?? 0,
      host,
    },
  });
  const seen: SeenReport[] = [];
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(
      platform.addresses.mqtt ?? "",
      { ...MQTT_CLIENT_OPTIONS, connectTimeout: 5_000 },
      false,
    );
    await client.subscribeAsync("hilfarm/devices/+/+");
  } catch (error) {
    await platform.close();
    throw error;
  }
  client.on("message", (topic) => {
    const match = FANOUT_TOPIC.exec(topic);
    if (match?.[1] !== undefined && match[2] !== undefined)
      seen.push({ deviceSN: match[1], kind: match[2], at: clock.now() });
  });
  const waitFor = async (match: (r: SeenReport) => boolean, maxMs: number) => {
    const until = clock.now() + maxMs;
    for (;;) {
      const found = seen.find(match);
      if (found !== undefined || clock.now() >= until) return found;
      await pause({ clock }, Math.min(VIRTUAL_STEP_MS, until - clock.now()));
    }
  };
  return {
    url: platform.addresses.surfaces["c-notify"]?.https ?? "",
    platformId: options.platformId,
    platformKey: options.platformKey,
    seen,
    waitFor,
    close: async () => {
      await client.endAsync(true);
      await platform.close();
    },
  };
}
