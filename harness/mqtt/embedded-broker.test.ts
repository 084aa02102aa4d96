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

  it("keeps its owner's client id and topics: no other client takes the id or publishes there", async () => {
    const owner = { clientId: "owner-1", password: "s3cret-pw", topics: "owned/" };
    const broker = await startEmbeddedBroker({ owner });
    brokers.push(broker);
    const asOwner = { clientId: owner.clientId, username: "owner", reconnectPeriod: 0 };
    const ownClient = await mqtt.connectAsync(broker.url, { ...asOwner, password: owner.password }, false);
    clients.push(ownClient);
    let ownerClosed = false;
    ownClient.on("close", () => {
      ownerClosed = true;
    });
    // MQTT would end the older of two clients with one id: the owner's, were the id anyone's to take.
    for (const password of [undefined, "wrong-pw", "s3cret-p"])
      await expect(
        mqtt.connectAsync(broker.url, { ...asOwner, ...(password === undefined ? {} : { password }) }, false),
      ).rejects.toThrow(/not authorized/i);
    const subscriber = await connect(broker.url);
    await subscriber.subscribeAsync(["owned/#", "open/#"]);
    const seen: string[] = [];
    subscriber.on("message", (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    const hostile = await connect(broker.url);
    const hostileClosed = new Promise<void>((resolve) => hostile.once("close", () => resolve()));
    await hostile.publishAsync("open/x", "anyone's");
    hostile.publish("owned/x/state", "forged", { retain: true });
    await hostileClosed;
    const delivered = new Promise((resolve) =>
      subscriber.on("message", (topic) => topic === "owned/x/state" && resolve(topic)),
    );
    await ownClient.publishAsync("owned/x/state", "real", { retain: true });
    await delivered;
    expect(seen).toEqual(["open/x anyone's", "owned/x/state real"]);
    expect(ownerClosed).toBe(false);
    const late = await connect(broker.url);
    const retained = new Promise<string>((resolve) =>
      late.once("message", (_t, payload) => resolve(payload.toString())),
    );
    await late.subscribeAsync("owned/x/state");
    expect(await retained).toBe("real");
  });
});
