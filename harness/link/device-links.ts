import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock, Timer } from "../clock/clock.ts";
import { UsageError } from "../errors.ts";
import { MQTT_CLIENT_OPTIONS } from "../mqtt/client-options.ts";
import { type EmbeddedBroker, startEmbeddedBroker } from "../mqtt/embedded-broker.ts";
import { carrierConnector } from "./carrier-connector.ts";
import type { CarrierLink } from "./carrier-link.ts";
import { MqttLinkMux } from "./mqtt-link.ts";
import { type MqttLinkTarget, parseMqttLinkUrl } from "./mqtt-url.ts";
import { type PlatformAddresses, PlatformBridge } from "./platform-bridge.ts";
import { SerialLink } from "./serial/serial-link.ts";
import { parseSerialUrl } from "./serial/serial-url.ts";
import type { Connector } from "./socket-link.ts";
import { socketConnector } from "./socket-link.ts";

/** How devices on links without connections (a UART, MQTT topics) reach hilfarm's platform, and how to stop it. */
export interface DeviceLinkBridge {
  /** For the ready line and the report: `serial:///dev/ttyUSB0?...` or the broker URL and topics. */
  readonly description: string;
  /** The link went away (`reason`) or came back. */
  onDown(listener: (reason: string) => void): void;
  onUp(listener: () => void): void;
  close(): Promise<void>;
}

/** A device on a serial port, bridged into the platform at `platform`. */
export async function bridgeSerial(
  url: string,
  platform: PlatformAddresses,
  options: { clock: Clock; logger: Logger },
): Promise<DeviceLinkBridge> {
  const settings = parseSerialUrl(url);
  const stream = await SerialLink.open(settings, options);
  const bridge = new PlatformBridge(stream, {
    platform,
    transport: settings.transport,
    connector: socketConnector(settings.maxFrameLength),
    logger: options.logger,
    framing: settings.framing,
  });
  return {
    description: stream.description,
    onDown: (listener) => stream.onDown(listener),
    onUp: (listener) => stream.onUp(listener),
    close: async () => {
      await bridge.stop();
      await stream.close();
    },
  };
}

/**
 * Connects to the broker of a device link, its credentials as connect options. A broker that cannot be reached is the
 * caller's mistake in `option` (a wrong host or port), said in one line without the password.
 */
async function connectBroker(target: MqttLinkTarget, option: string): Promise<MqttClient> {
  try {
    return await mqtt.connectAsync(target.url, {
      ...MQTT_CLIENT_OPTIONS,
      ...target.credentials,
      connectTimeout: 10_000,
      queueQoSZero: false,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      option.replace(/^--/, ""),
      `${option}: cannot reach the broker at ${target.url}: ${reason}`,
    );
  }
}

/**
 * Devices on MQTT link topics (`hilfarm/link/<deviceId>/up|down`), each bridged into the platform the first time it
 * is heard, if `only` takes its id: anyone who can publish on the broker can name any id, and a bridge for every id
 * heard would grow without bound (`hilfarm platform` takes the ids of its registry). `embedded` starts a broker in
 * this process on `host` (port 0: any free port). The broker going away is the link going down, whether or not any
 * device has been heard yet. `option` names the command-line option the URL came from, for messages (default
 * `--mqtt-link`).
 */
export async function bridgeMqtt(
  urlOrEmbedded: string,
  platform: PlatformAddresses,
  options: { logger: Logger; host?: string; only: (deviceId: string) => boolean; option?: string },
): Promise<DeviceLinkBridge & { brokerUrl: string }> {
  const option = options.option ?? "--mqtt-link";
  let broker: EmbeddedBroker | undefined;
  let target: MqttLinkTarget;
  if (urlOrEmbedded === "embedded" || urlOrEmbedded.startsWith("embedded?")) {
    broker = await startEmbeddedBroker({ host: options.host ?? "127.0.0.1" });
    try {
      target = parseMqttLinkUrl(`${broker.url}${urlOrEmbedded.slice("embedded".length)}`, option);
    } catch (error) {
      await broker.close();
      throw error;
    }
  } else target = parseMqttLinkUrl(urlOrEmbedded, option);
  let client: MqttClient;
  let mux: MqttLinkMux;
  try {
    client = await connectBroker(target, option);
    mux = await MqttLinkMux.start(client, "harness", target.url);
  } catch (error) {
    await broker?.close();
    throw error;
  }
  const bridges: PlatformBridge[] = [];
  mux.onNewDevice((deviceId) => {
    if (!options.only(deviceId)) return;
    const stream = mux.stream(deviceId);
    options.logger.info({ deviceId, link: stream.description }, "device heard on its MQTT link");
    bridges.push(
      new PlatformBridge(stream, {
        platform,
        transport: target.transport,
        connector: socketConnector(target.maxFrameLength),
        logger: options.logger,
        framing: target.framing,
      }),
    );
  });
  return {
    description: `${target.url} hilfarm/link/<deviceId>/up|down (sessions over ${target.transport}, ${target.framing})`,
    brokerUrl: target.url,
    onDown: (listener) => mux.onDown(listener),
    onUp: (listener) => mux.onUp(listener),
    close: async () => {
      for (const bridge of bridges) await bridge.stop();
      await client.endAsync();
      await broker?.close();
    },
  };
}

/** Device side: connectors for emulated devices behind a serial port or MQTT link topics. */
export async function deviceSideConnector(
  link: { serial?: string; mqttLink?: string },
  options: { clock: Clock; logger: Logger },
): Promise<{ connector: (deviceId: string) => Connector; description: string; close(): Promise<void> }> {
  if (link.serial !== undefined) {
    const stream: CarrierLink = await SerialLink.open(parseSerialUrl(link.serial), options);
    const connector = carrierConnector(stream);
    return { connector: () => connector, description: stream.description, close: () => stream.close() };
  }
  if (link.mqttLink === undefined) throw new Error("deviceSideConnector needs --serial or --mqtt-link");
  const target = parseMqttLinkUrl(link.mqttLink);
  const client = await connectBroker(target, "--mqtt-link");
  const mux = await MqttLinkMux.start(client, "device", target.url);
  return {
    connector: (deviceId) => carrierConnector(mux.stream(deviceId)),
    description: `${target.url} hilfarm/link/<deviceId>/up|down`,
    close: () => client.endAsync(),
  };
}

/**
 * Stops a run when a device link stays down longer than `graceMs`: the lab may re-seat a cable, but a link gone for
 * good must end the run with what was recorded, not hang it.
 */
export function stopWhenGone(
  bridge: DeviceLinkBridge,
  clock: Clock,
  graceMs: number,
  stop: (reason: string) => void,
): void {
  let timer: Timer | undefined;
  bridge.onDown((reason) => {
    timer?.cancel();
    timer = clock.setTimeout(
      () => stop(`${reason}; it did not come back within ${graceMs / 1000} s`),
      graceMs,
      "link-gone",
    );
  });
  bridge.onUp(() => {
    timer?.cancel();
    timer = undefined;
  });
}
