import { connect as connectTcp } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "./embedded-broker.ts";

const brokers: EmbeddedBroker[] = [];
const clients: MqttClient[] = [];

async function start(): Promise<EmbeddedBroker> {
  const broker = await startEmbeddedBroker();
  brokers.push(broker);
  return broker;
}

async function connect(url: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 }, false);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

describe("startEmbeddedBroker", () => {
  it("listens on a free port of 127.0.0.1 and relays messages between real clients", async () => {
    const broker = await start();
    expect(broker.host).toBe("127.0.0.1");
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);

    const subscriber = await connect(broker.url);
    await subscriber.subscribeAsync("test/topic");
    const received = new Promise<{ topic: string; payload: string }>((resolve) =>
      subscriber.once("message", (topic, payload) => resolve({ topic, payload: payload.toString() })),
    );
    const publisher = await connect(broker.url);
    await publisher.publishAsync("test/topic", "hello");
    expect(await received).toEqual({ topic: "test/topic", payload: "hello" });
  });

  it("gives two brokers started at once different ports", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.port).not.toBe(b.port);
  });

  it("drops its clients and refuses connections once closed; closing twice is fine", async () => {
    const broker = await start();
    const client = await connect(broker.url);
    const dropped = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await broker.close();
    await broker.close();
    await dropped;
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 }, false)).rejects.toThrow();
  });

  it("closes even while a socket is connected that never sent CONNECT", async () => {
    const broker = await start();
    const socket = connectTcp(broker.port, broker.host);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const dropped = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await broker.close();
    await dropped;
  });

  it("rejects with host and port when the port is taken", async () => {
    const broker = await start();
    await expect(startEmbeddedBroker({ port: broker.port })).rejects.toThrow(`127.0.0.1:${broker.port}`);
  });
});
