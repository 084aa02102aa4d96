import { createServer } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../../harness/mqtt/index.ts";
import { createMqttFanout, type Fanout, fanoutTopic, nullFanout } from "./fanout.ts";

interface Received {
  topic: string;
  payload: unknown;
  retain: boolean;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(): Promise<EmbeddedBroker> {
  const started = await startEmbeddedBroker();
  cleanups.push(() => started.close());
  return started;
}

async function fanout(url: string): Promise<Fanout> {
  const created = await createMqttFanout({ url });
  cleanups.push(() => created.close());
  return created;
}

async function subscriber(url: string, topic: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 }, false);
  cleanups.push(() => client.endAsync(true));
  await client.subscribeAsync(topic);
  return client;
}

function nextMessage(client: MqttClient): Promise<Received> {
  return new Promise((resolve) =>
    client.once("message", (topic, payload, packet) =>
      resolve({ topic, payload: JSON.parse(payload.toString()), retain: packet.retain }),
    ),
  );
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

describe("fanoutTopic", () => {
  it("builds hilfarm/devices/<deviceId>/<kind>", () => {
    expect(fanoutTopic("gw-01", "state")).toBe("hilfarm/devices/gw-01/state");
  });

  it("replaces topic separators and wildcards in the device id", () => {
    expect(fanoutTopic("a/b+c#d", "event")).toBe("hilfarm/devices/a_b_c_d/event");
  });
});

describe("nullFanout", () => {
  it("accepts anything and closes", async () => {
    nullFanout.publish("gw-01", "state", { on: true });
    await expect(nullFanout.close()).resolves.toBeUndefined();
  });
});

describe("createMqttFanout", () => {
  it("publishes the JSON payload to hilfarm/devices/<id>/<kind>", async () => {
    const { url } = await broker();
    const sub = await subscriber(url, "hilfarm/devices/#");
    const out = await fanout(url);
    const received = nextMessage(sub);
    out.publish("gw-01", "event", { eventCode: 7, params: ["x"] });
    expect(await received).toEqual({
      topic: "hilfarm/devices/gw-01/event",
      payload: { eventCode: 7, params: ["x"] },
      retain: false,
    });
  });

  it("retains online, so a subscriber that comes later still gets it", async () => {
    const { url } = await broker();
    const early = await subscriber(url, "hilfarm/devices/+/online");
    const out = await fanout(url);
    const seen = nextMessage(early);
    out.publish("gw-01", "online", { online: true });
    // The early subscriber having it means the broker has stored the retained message.
    await seen;
    const late = await mqtt.connectAsync(url, { reconnectPeriod: 0 }, false);
    cleanups.push(() => late.endAsync(true));
    const received = nextMessage(late);
    await late.subscribeAsync("hilfarm/devices/gw-01/online");
    expect(await received).toEqual({
      topic: "hilfarm/devices/gw-01/online",
      payload: { online: true },
      retain: true,
    });
  });

  it("sanitises device ids containing /, + and #", async () => {
    const { url } = await broker();
    const sub = await subscriber(url, "hilfarm/devices/#");
    const out = await fanout(url);
    const received = nextMessage(sub);
    out.publish("a/b+c#d", "alarm", { level: 2 });
    expect(await received).toMatchObject({ topic: "hilfarm/devices/a_b_c_d/alarm", payload: { level: 2 } });
  });

  it("does not throw on an unserialisable payload, nor after close; closing twice is fine", async () => {
    const { url } = await broker();
    const out = await fanout(url);
    expect(() => out.publish("gw-01", "state", { big: 1n })).not.toThrow();
    await out.close();
    await out.close();
    expect(() => out.publish("gw-01", "state", { on: true })).not.toThrow();
  });

  it("rejects with an error naming the URL when no broker listens", async () => {
    const url = `mqtt://127.0.0.1:${await deadPort()}`;
    await expect(createMqttFanout({ url })).rejects.toThrow(url);
  });
});
