import { once } from "node:events";
import { createServer, type Server } from "node:net";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import {
  bridgeMqtt,
  type DeviceLinkBridge,
  deviceSideConnector,
  stopWhenGone,
} from "../../harness/link/device-links.ts";
import { linkTopics } from "../../harness/link/mqtt-link.ts";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../harness/mqtt/embedded-broker.ts";
import { formatEnvelope } from "../../harness/protocol/cts/envelope.ts";
import { silent } from "../testing/world.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker();
  cleanups.push(() => b.close());
  return b;
}

async function bridge(url: string): Promise<DeviceLinkBridge & { brokerUrl: string }> {
  const b = await bridgeMqtt(
    url,
    { login: "127.0.0.1:1", tcp: "127.0.0.1:1", udp: "127.0.0.1:1" },
    { logger: silent, only: () => true },
  );
  cleanups.push(() => b.close());
  return b;
}

/** A stand-in login server on a free port: what reaches it, and how many connections, as a bridge's platform. */
async function loginServer() {
  const login: Server = createServer();
  const received: string[] = [];
  let connections = 0;
  login.on("connection", (socket) => {
    connections++;
    socket.on("data", (d: Buffer) => received.push(d.toString()));
  });
  login.listen(0, "127.0.0.1");
  await once(login, "listening");
  cleanups.push(() => new Promise((resolve) => login.close(() => resolve())));
  const address = login.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  const platform = { login: `127.0.0.1:${address.port}`, tcp: "127.0.0.1:1", udp: "127.0.0.1:1" };
  return { platform, received, connections: () => connections };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("no rejection");
}

describe("bridgeMqtt", () => {
  it("a broker gone before any device was heard stops the run, naming the broker", async () => {
    const b = await broker();
    const link = await bridge(b.url);
    const clock = new VirtualClock();
    const stops: string[] = [];
    stopWhenGone(link, clock, 5000, (reason) => stops.push(reason));
    const down = new Promise<void>((resolve) => link.onDown(() => resolve()));
    await b.close();
    await down;
    clock.advance(5000);
    expect(stops).toEqual([`MQTT broker ${b.url} unreachable; it did not come back within 5 s`]);
  });

  it("an unreachable broker is a usage error naming the option and the URL, without the password", async () => {
    const error = await rejection(bridge("mqtt://lab:s3cret@127.0.0.1:1"));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).field).toBe("mqtt-link");
    expect((error as Error).message).toMatch(
      /^--mqtt-link: cannot reach the broker at mqtt:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain("s3cret");
    const device = await rejection(
      deviceSideConnector({ mqttLink: "mqtt://127.0.0.1:1" }, { clock: new VirtualClock(), logger: silent }),
    );
    expect(device).toBeInstanceOf(UsageError);
    expect((device as Error).message).toMatch(
      /^--mqtt-link: cannot reach the broker at mqtt:\/\/127\.0\.0\.1:1: /,
    );
  });

  it("describes the link without the password", async () => {
    const b = await broker();
    const link = await bridge(b.url.replace("mqtt://", "mqtt://lab:s3cret@"));
    expect(link.description).not.toContain("s3cret");
    expect(link.brokerUrl).toBe(b.url);
  });

  it("refuses an unknown setting in the URL", async () => {
    const error = await rejection(bridge("embedded?transprt=udp"));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/unknown setting "transprt"/);
  });

  it("bridges a cts-base64 device: its 1002 reaches the login server", async () => {
    const { platform, received } = await loginServer();
    const b = await broker();
    const link = await bridgeMqtt(`${b.url}?framing=cts-base64`, platform, {
      logger: silent,
      only: () => true,
    });
    cleanups.push(() => link.close());
    const device = await mqtt.connectAsync(b.url);
    cleanups.push(() => device.endAsync(true));
    const frame = formatEnvelope(
      { code: 1002, deviceId: "0000111122223333aaaabbbb", data: "AAAA" },
      "cts-base64",
    );
    for (let i = 0; i < 100 && received.length === 0; i++) {
      await device.publishAsync(linkTopics("0000111122223333aaaabbbb").up, frame);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received.join("")).toContain(`${frame}\r\n`);
  });

  it("bridges only the ids `only` takes: ids made up by anyone who can publish on the broker open nothing", async () => {
    const { platform, received, connections } = await loginServer();
    const b = await broker();
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const known = "0000111122223333aaaabbbb";
    const link = await bridgeMqtt(b.url, platform, { logger, only: (id) => id === known });
    cleanups.push(() => link.close());
    const publisher = await mqtt.connectAsync(b.url);
    cleanups.push(() => publisher.endAsync(true));
    const frame = (deviceId: string) => formatEnvelope({ code: 1002, deviceId, data: "AAAA" });
    for (let i = 0; i < 200; i++)
      await publisher.publishAsync(linkTopics(`made-up-${i}`).up, frame(`made-up-${i}`));
    // One client's messages arrive in order: once the known device's frame is through, every made-up one was heard.
    for (let i = 0; i < 100 && received.length === 0; i++) {
      await publisher.publishAsync(linkTopics(known).up, frame(known));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received.join("")).toContain(`${frame(known)}\r\n`);
    const heard = lines.map((line) => JSON.parse(line) as { msg: string; deviceId?: string });
    expect(heard.filter((l) => l.msg === "device heard on its MQTT link").map((l) => l.deviceId)).toEqual([
      known,
    ]);
    expect(connections()).toBe(1);
  });
});
