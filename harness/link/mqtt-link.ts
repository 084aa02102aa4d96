import type { MqttClient } from "mqtt";
import { type CarrierLink, deliverGuarded, withoutCrlf } from "./carrier-link.ts";

/** Topics of a device's MQTT link: frames from the device on `up`, to it on `down`. */
export const linkTopics = (deviceId: string) => ({
  up: `hilfarm/link/${deviceId}/up`,
  down: `hilfarm/link/${deviceId}/down`,
});

const TOPIC = /^hilfarm\/link\/([^/]+)\/(up|down)$/;

/**
 * CTS frames on MQTT topics, for devices whose module speaks MQTT: one frame per message (CRLF optional), QoS 0, so
 * the link behaves as UDP does and the protocol's own resends cover a lost message. One client carries every
 * device of a side: the `device` side publishes on `up` and hears `down`; the `harness` side the other way round.
 * `url` is the broker's URL without credentials: it is what logs and reports show.
 */
export class MqttLinkMux {
  private readonly streams = new Map<string, Array<(line: Buffer) => void>>();
  private readonly downListeners: Array<(reason: string) => void> = [];
  private readonly upListeners: Array<() => void> = [];
  private readonly newDevice: Array<(deviceId: string) => void> = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly side: "device" | "harness",
    readonly url: string,
  ) {
    client.on("message", (topic, payload) => {
      const match = TOPIC.exec(topic);
      if (match === null) return;
      const [, deviceId = "", direction] = match;
      if (direction !== (side === "device" ? "down" : "up")) return;
      if (!this.streams.has(deviceId)) {
        if (side === "device") return;
        deliverGuarded(this.newDevice, deviceId, () => undefined);
      }
      // A listener that throws loses this frame, with a warning: a message is all a stream has to drop.
      deliverGuarded(this.streams.get(deviceId) ?? [], withoutCrlf(payload), () => undefined);
    });
    client.on("offline", () => {
      deliverGuarded(this.downListeners, `MQTT broker ${url} unreachable`, () => undefined);
    });
    client.on("connect", () => {
      deliverGuarded(this.upListeners, undefined, () => undefined);
    });
    // Reconnect attempts fail with an `error` event; unheard, it would end the process. `offline` has said so.
    client.on("error", () => undefined);
  }

  static async start(client: MqttClient, side: "device" | "harness", url: string): Promise<MqttLinkMux> {
    const mux = new MqttLinkMux(client, side, url);
    await client.subscribeAsync(`hilfarm/link/+/${side === "device" ? "down" : "up"}`, { qos: 0 });
    return mux;
  }

  /** The harness side: called with each device id heard on `up` for the first time (before its frame is delivered). */
  onNewDevice(listener: (deviceId: string) => void): void {
    this.newDevice.push(listener);
  }

  /** The broker went away (`reason` names it) or came back: for every device of the side, heard yet or not. */
  onDown(listener: (reason: string) => void): void {
    this.downListeners.push(listener);
  }
  onUp(listener: () => void): void {
    this.upListeners.push(listener);
  }

  /** One device's link. */
  stream(deviceId: string): CarrierLink {
    const lines: Array<(line: Buffer) => void> = [];
    this.streams.set(deviceId, lines);
    const topics = linkTopics(deviceId);
    const publishTo = this.side === "device" ? topics.up : topics.down;
    const client = this.client;
    return {
      description: `${this.url} ${this.side === "device" ? topics.up : topics.down}`,
      get up() {
        return client.connected;
      },
      send: (frame) => {
        if (client.connected) client.publish(publishTo, withoutCrlf(frame), { qos: 0 });
      },
      onLine: (listener) => lines.push(listener),
      onDown: (listener) => this.downListeners.push(listener),
      onUp: (listener) => this.upListeners.push(listener),
      close: async () => {
        this.streams.delete(deviceId);
      },
    };
  }
}
