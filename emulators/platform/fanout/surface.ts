import { type EmbeddedBroker, startEmbeddedBroker } from "../../../harness/mqtt/embedded-broker.ts";
import type { PlatformContext } from "../context.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { createMqttFanout } from "./fanout.ts";

/**
 * The MQTT fan-out of every device change: to the embedded broker (the default), to an external one, or, with
 * `mqtt: "none"`, nowhere (no addresses).
 */
export const fanoutSurface: Surface = {
  name: "fanout",
  async start(context: PlatformContext): Promise<StartedSurface> {
    const mqtt = context.options.mqtt ?? "embedded";
    if (mqtt === "none") return { addresses: {}, close: () => Promise.resolve() };
    let broker: EmbeddedBroker | undefined;
    let url: string;
    try {
      if (mqtt === "embedded") {
        const { advertisedHost, host } = context;
        broker = await startEmbeddedBroker({ host: advertisedHost === "127.0.0.1" ? "127.0.0.1" : host });
        url = broker.url;
      } else url = mqtt.url;
      const clientId = `hilfarm-platform-${process.pid}`;
      context.fanout.connect(await createMqttFanout({ url, clientId, logger: context.logger }));
    } catch (error) {
      await broker?.close();
      throw error;
    }
    return {
      addresses: { mqtt: url },
      close: async () => {
        await context.fanout.close();
        await broker?.close();
      },
    };
  },
};
