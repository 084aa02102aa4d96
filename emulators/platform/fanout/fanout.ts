import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { MQTT_CLIENT_OPTIONS } from "../../../harness/mqtt/client-options.ts";

export type FanoutKind =
  | "state"
  | "resources"
  | "event"
  | "alarm"
  | "fault"
  | "online"
  | "version"
  | "upgrade";

/** Where the platform sends every device change for outside observers (dashboards, tests). */
export interface Fanout {
  /** Fire and forget: never throws; a closed or disconnected fan-out drops the message. */
  publish(deviceId: string, kind: FanoutKind, payload: unknown): void;
  close(): Promise<void>;
}

export const nullFanout: Fanout = {
  publish() {},
  close: () => Promise.resolve(),
};

/** Kinds whose last value a late subscriber should still see. */
const RETAINED: ReadonlySet<FanoutKind> = new Set<FanoutKind>(["online", "state"]);

const CONNECT_TIMEOUT_MS = 5_000;

/** Where every fan-out topic starts. */
export const FANOUT_TOPICS = "hilfarm/devices/";

export function fanoutTopic(deviceId: string, kind: FanoutKind): string {
  // `/` would add topic levels, `+`/`#` are wildcards, NUL is forbidden in MQTT topics.
  return `${FANOUT_TOPICS}${deviceId.replace(/[/+#\0]/g, "_")}/${kind}`;
}

export interface MqttFanoutOptions {
  url: string;
  clientId?: string;
  /** The client's password: the embedded broker keeps the fan-out's client id for the client that gives it. */
  password?: string;
  logger?: Logger;
}

/** A fan-out to an MQTT broker; resolves once connected, rejects if the broker is unreachable within 5 s. */
export async function createMqttFanout(options: MqttFanoutOptions): Promise<Fanout> {
  const { url, logger } = options;
  let client: MqttClient;
  try {
    // allowRetries=false: the first failed attempt rejects instead of reconnecting forever.
    client = await mqtt.connectAsync(
      url,
      {
        ...MQTT_CLIENT_OPTIONS,
        connectTimeout: CONNECT_TIMEOUT_MS,
        queueQoSZero: false,
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        ...(options.password === undefined
          ? {}
          : { username: "hilfarm-platform", password: options.password }),
      },
      false,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to MQTT broker at ${url}: ${reason}`, { cause: error });
  }
  // An unhandled 'error' event would crash the process; after connecting the client reconnects by itself.
  client.on("error", (error) => logger?.warn({ url, err: error }, "mqtt fan-out error"));

  let closing: Promise<void> | undefined;
  return {
    publish(deviceId, kind, payload) {
      const topic = fanoutTopic(deviceId, kind);
      try {
        if (closing !== undefined || !client.connected) {
          logger?.debug({ topic }, "mqtt fan-out not connected, message dropped");
          return;
        }
        const message = JSON.stringify(payload) ?? "null";
        client.publish(topic, message, { qos: 0, retain: RETAINED.has(kind) }, (error) => {
          if (error) logger?.debug({ topic, err: error }, "mqtt fan-out publish failed");
        });
      } catch (error) {
        logger?.debug({ topic, err: error }, "mqtt fan-out publish failed");
      }
    },
    close() {
      closing ??= client.endAsync();
      return closing;
    },
  };
}
