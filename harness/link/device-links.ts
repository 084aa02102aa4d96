import mqtt from "mqtt";
import type { Logger } from "pino";
import type { Clock, Timer } from "../clock/clock.ts";
import { type EmbeddedBroker, startEmbeddedBroker } from "../mqtt/embedded-broker.ts";
import type { FrameStream } from "./frame-stream.ts";
import { MqttLinkMux } from "./mqtt-link.ts";
import { parseMqttLinkUrl } from "./mqtt-url.ts";
import { type PlatformAddresses, PlatformBridge } from "./platform-bridge.ts";
import { SerialFrameStream } from "./serial/serial-stream.ts";
import { parseSerialUrl } from "./serial/serial-url.ts";
import type { Connector } from "./socket-link.ts";
import { socketConnector } from "./socket-link.ts";
import { streamConnector } from "./stream-connector.ts";

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
  const stream = await SerialFrameStream.open(settings, options);
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
 * Devices on MQTT link topics (`hilfarm/link/<deviceId>/up|down`), each bridged into the platform the first time it
 * is heard; `embedded` starts a broker in this process on `host` (port 0: any free port).
 */
export async function bridgeMqtt(
  urlOrEmbedded: string,
  platform: PlatformAddresses,
  options: { logger: Logger; host?: string; only?: (deviceId: string) => boolean },
): Promise<DeviceLinkBridge & { brokerUrl: string }> {
  let broker: EmbeddedBroker | undefined;
  let target: { url: string; transport: "tcp" | "udp" };
  if (urlOrEmbedded === "embedded" || urlOrEmbedded.startsWith("embedded?")) {
    broker = await startEmbeddedBroker({ host: options.host ?? "127.0.0.1" });
    target = parseMqttLinkUrl(`${broker.url}${urlOrEmbedded.slice("embedded".length)}`);
  } else target = parseMqttLinkUrl(urlOrEmbedded);
  const client = await mqtt.connectAsync(target.url, { connectTimeout: 10_000, queueQoSZero: false });
  const mux = await MqttLinkMux.start(client, "harness", target.url);
  const bridges: PlatformBridge[] = [];
  const downs: Array<(reason: string) => void> = [];
  const ups: Array<() => void> = [];
  mux.onNewDevice((deviceId) => {
    if (options.only !== undefined && !options.only(deviceId)) return;
    const stream = mux.stream(deviceId);
    stream.onDown((reason) => {
      for (const listener of downs) listener(reason);
    });
    stream.onUp(() => {
      for (const listener of ups) listener();
    });
    options.logger.info({ deviceId, link: stream.description }, "device heard on its MQTT link");
    bridges.push(
      new PlatformBridge(stream, {
        platform,
        transport: target.transport,
        connector: socketConnector(),
        logger: options.logger,
      }),
    );
  });
  return {
    description: `${target.url} hilfarm/link/<deviceId>/up|down (sessions over ${target.transport})`,
    brokerUrl: target.url,
    onDown: (listener) => downs.push(listener),
    onUp: (listener) => ups.push(listener),
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
    const stream: FrameStream = await SerialFrameStream.open(parseSerialUrl(link.serial), options);
    const connector = streamConnector(stream);
    return { connector: () => connector, description: stream.description, close: () => stream.close() };
  }
  if (link.mqttLink === undefined) throw new Error("deviceSideConnector needs --serial or --mqtt-link");
  const { url } = parseMqttLinkUrl(link.mqttLink);
  const client = await mqtt.connectAsync(url, { connectTimeout: 10_000, queueQoSZero: false });
  const mux = await MqttLinkMux.start(client, "device", url);
  return {
    connector: (deviceId) => streamConnector(mux.stream(deviceId)),
    description: `${url} hilfarm/link/<deviceId>/up|down`,
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
