import { randomBytes } from "node:crypto";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../../harness/mqtt/embedded-broker.ts";
import type { PlatformContext } from "../context.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { createMqttFanout, FANOUT_TOPICS } from "./fanout.ts";

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
    const clientId = `hilfarm-platform-${process.pid}`;
    // The embedded broker keeps the fan-out's client id and topics for this process's client, by a password that
    // never leaves it: a client that took the id would end the fan-out's session, one that published there would
    // forge device state for every subscriber.
    let password: string | undefined;
    try {
      if (mqtt === "embedded") {
        password = randomBytes(18).toString("base64url");
        const { advertisedHost, host } = context;
        broker = await startEmbeddedBroker({
          host: advertisedHost === "127.0.0.1" ? "127.0.0.1" : host,
          owner: { clientId, password, topics: FANOUT_TOPICS },
        });
        url = broker.url;
      } else url = mqtt.url;
      context.fanout.connect(
        await createMqttFanout({
          url,
          clientId,
          logger: context.logger,
          ...(password === undefined ? {} : { password }),
        }),
      );
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
