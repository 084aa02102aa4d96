import { createRequire } from "node:module";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { MQTT_CLIENT_OPTIONS } from "./client-options.ts";
import { startEmbeddedBroker } from "./embedded-broker.ts";

const require = createRequire(import.meta.url);
/** mqtt-packet's cache of number buffers, which this process's first packet fills unless it is turned off. */
const numberCache = require("mqtt-packet/numbers").cache as Record<number, Buffer>;
/** mqtt-packet's writer: its `cacheNumbers` switch is the process's, set by every client that opens. */
const writer = require("mqtt-packet").writeToStream as { cacheNumbers: boolean };

/**
 * mqtt-packet as a fresh process has it: no number built, the cache on, so that the next packet builds all 65,536
 * unless a client turns the cache off. Test files share their process (vitest.config.ts): an earlier file's broker
 * or client may have written packets here already.
 */
function freshNumberCache(): void {
  for (const key of Object.keys(numberCache)) delete numberCache[Number(key)];
  writer.cacheNumbers = true;
}

describe("MQTT_CLIENT_OPTIONS", () => {
  it("leaves mqtt-packet's 65,536 number buffers unbuilt through a QoS 1 round trip over the embedded broker", async () => {
    freshNumberCache();
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
