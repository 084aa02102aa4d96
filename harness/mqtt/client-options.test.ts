import { createRequire } from "node:module";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { MQTT_CLIENT_OPTIONS } from "./client-options.ts";
import { startEmbeddedBroker } from "./embedded-broker.ts";

/** mqtt-packet's cache of number buffers, which this process's first packet fills unless it is turned off. */
const numberCache = createRequire(import.meta.url)("mqtt-packet/numbers").cache as Record<number, Buffer>;

describe("MQTT_CLIENT_OPTIONS", () => {
  // Each test file runs in a process of its own (vitest's forks pool): no packet has been written here before.
  it("leaves mqtt-packet's 65,536 number buffers unbuilt through a QoS 1 round trip over the embedded broker", async () => {
    const broker = await startEmbeddedBroker();
    const client = await mqtt.connectAsync(
      broker.url,
      { ...MQTT_CLIENT_OPTIONS, connectTimeout: 5_000 },
      false,
    );
    try {
      await client.subscribeAsync("hilfarm/test", { qos: 1 });
      const received = new Promise<string>((resolve) =>
        client.once("message", (_, payload) => resolve(String(payload))),
      );
      await client.publishAsync("hilfarm/test", "numbered", { qos: 1 });
      expect(await received).toBe("numbered");
      expect(Object.keys(numberCache)).toHaveLength(0);
    } finally {
      await client.endAsync();
      await broker.close();
    }
  });
});
