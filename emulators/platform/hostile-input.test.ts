import { createSocket } from "node:dgram";
import { connect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { CipherKey, encrypt } from "../../harness/protocol/cts/crypto.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { LinkClosed, ScriptedDevice } from "../device/scripted-device.ts";
import type { Platform } from "./platform.ts";
import { PLUG, startTestPlatform } from "./testing/fixtures.ts";

/**
 * Findings of a hostile tester against the platform (deep nesting that stopped the process, replays that moved a
 * live session, connection floods), each replayed over real sockets. The suite for any platform is scenarios/hostile.
 */
let clock: VirtualClock;
let platform: Platform;
const devices: ScriptedDevice[] = [];
const sockets: Socket[] = [];

const device = (d: { deviceId: string; pin: string }) => {
  const scripted = new ScriptedDevice(d.deviceId, d.pin);
  devices.push(scripted);
  return scripted;
};

/** Every frame a scripted device sent, as it went on the wire. */
function captured(d: ScriptedDevice): Array<{ message: McMessage; raw: Buffer }> {
  const frames: Array<{ message: McMessage; raw: Buffer }> = [];
  d.on("frame", ({ direction, message, raw }) => {
    if (direction === "out" && raw !== undefined) frames.push({ message, raw: Buffer.from(raw) });
  });
  return frames;
}

async function online(d: ScriptedDevice, transport: "tcp" | "udp" = "tcp") {
  await d.login(platform.addresses.login);
  await d.connect(transport);
  return d;
}

const heartbeat = (d: ScriptedDevice) => d.request({ code: 1000, body: { token: d.token ?? "", time: 1 } });

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** Opens a TCP connection, sends `bytes`, and resolves with what came back before the platform closed it. */
function exchange(address: string, bytes: Buffer, from?: string): Promise<Buffer> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port, ...(from === undefined ? {} : { localAddress: from }) }, () =>
      socket.write(bytes),
    );
    sockets.push(socket);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

function datagram(address: string, bytes: Buffer): Promise<void> {
  const { host, port } = splitAddress(address);
  const socket = createSocket("udp4");
  return new Promise((resolve) =>
    socket.send(bytes, port, host, () => {
      socket.close();
      resolve();
    }),
  );
}

async function dropped(reason: string): Promise<number> {
  const metric = (await platform.metrics.framesDropped.get()).values.find((v) => v.labels.reason === reason);
  return metric?.value ?? 0;
}

/** Waits until `condition` holds: the platform reacts to real sockets, so the test yields to the event loop. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never: ${what}`);
}

beforeEach(async () => {
  clock = new VirtualClock();
  platform = await startTestPlatform(clock);
});

afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const s of sockets.splice(0)) s.destroy();
  await platform.close();
});

const nested = (depth: number) => Buffer.from(`CTS${"[".repeat(depth)}${"]".repeat(depth)}\r\n`);

describe("one frame never stops the platform", () => {
  it("5,000 nested brackets to the UDP connection server, the login server and the TCP connection server are dropped as TOO_DEEP; a connected device keeps its session", async () => {
    const plug = await online(device(PLUG));
    const token = plug.token;
    await datagram(platform.addresses.udp, nested(5000));
    expect(await exchange(platform.addresses.login, nested(5000))).toHaveLength(0);
    expect(await exchange(platform.addresses.tcp, nested(5000))).toHaveLength(0);
    await eventually(async () => (await dropped("TOO_DEEP")) === 3, "three frames dropped as TOO_DEEP");
    expect((await heartbeat(plug)).code).toBe(1001);
    expect(platform.sessionOf(PLUG.deviceId)?.token).toBe(token);
  });

  it("nesting inside an encrypted body is refused the same way, and the session goes on", async () => {
    const plug = await online(device(PLUG));
    // The body would fail the sender's own encoder; the bytes are made by hand, as a hostile device would.
    const body = `{"sequence":"1","a":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const data = encrypt(CipherKey.fromSessionKey(plug.sessionKey ?? ""), Buffer.from(body)).toString(
      "base64",
    );
    plug.sendBytes(Buffer.from(`CTS${JSON.stringify({ code: 1000, token: plug.token, data })}\r\n`));
    await eventually(async () => (await dropped("TOO_DEEP")) === 1, "the body dropped as TOO_DEEP");
    expect((await heartbeat(plug)).code).toBe(1001);
  });
});

describe("replays do not move a session", () => {
  it("a captured 1002 replayed 20 times, minutes later, is answered but the live session stays, every heartbeat answered", async () => {
    const plug = device(PLUG);
    const frames = captured(plug);
    await online(plug);
    const token = plug.token;
    const login = frames.find((f) => f.message.code === 1002)?.raw;
    expect(login).toBeDefined();
    for (let i = 0; i < 20; i++) {
      await clock.advanceAsync(60_000);
      // Answered (the platform cannot tell a replay from a login), but only the PIN opens the answer.
      expect((await exchange(platform.addresses.login, login as Buffer)).length).toBeGreaterThan(0);
      expect((await heartbeat(plug)).code).toBe(1001);
      expect(platform.sessionOf(PLUG.deviceId)?.token).toBe(token);
    }
    expect((await platform.metrics.sessionsEnded.get()).values).toHaveLength(0);
  });

  it("a captured 1004 replayed on a new TCP connection gets the stored 1005 and the replayer's connection is closed; the live connection stays", async () => {
    const plug = device(PLUG);
    const frames = captured(plug);
    const connectAnswers: string[] = [];
    plug.on("frame", ({ direction, message, raw }) => {
      if (direction === "in" && message.code === 1005 && raw !== undefined)
        connectAnswers.push(Buffer.from(raw).toString("latin1"));
    });
    await online(plug);
    const connectFrame = frames.find((f) => f.message.code === 1004)?.raw as Buffer;
    const session = platform.sessionOf(PLUG.deviceId);
    const answer = await exchange(platform.addresses.tcp, connectFrame);
    expect(answer.equals(session?.answerToConnect as Buffer)).toBe(true);
    // Byte for byte the 1005 the device itself got: the session keeps the frame it sent, not a new encoding.
    expect(connectAnswers).toEqual([answer.toString("latin1").replace(/\r\n$/, "")]);
    expect(platform.sessionOf(PLUG.deviceId)).toBe(session);
    expect((await heartbeat(plug)).code).toBe(1001);
  });

  it("a captured 1004 replayed over UDP from another address, after later requests, opens nothing", async () => {
    const plug = device(PLUG);
    const frames = captured(plug);
    await online(plug, "udp");
    await heartbeat(plug);
    const session = platform.sessionOf(PLUG.deviceId);
    await datagram(platform.addresses.udp, frames.find((f) => f.message.code === 1004)?.raw as Buffer);
    await eventually(async () => (await dropped("REPLAYED")) === 1, "the replay dropped");
    expect(platform.sessionOf(PLUG.deviceId)).toBe(session);
    expect((await heartbeat(plug)).code).toBe(1001);
  });

  it("an in-session UDP request replayed from another address is not applied twice and does not count as life", async () => {
    const plug = device(PLUG);
    const frames = captured(plug);
    await online(plug, "udp");
    await plug.request({
      code: 2032,
      body: {
        deviceId: PLUG.deviceId,
        event: [{ eventId: "e1", serialId: "0", eventName: "ring" }],
        time: 1,
      },
    } as never);
    await heartbeat(plug);
    const events = () => platform.store.get(PLUG.deviceId)?.events.length ?? 0;
    expect(events()).toBe(1);
    const report = frames.find((f) => f.message.code === 2032)?.raw as Buffer;
    await datagram(platform.addresses.udp, report);
    await eventually(async () => (await dropped("REPLAYED")) === 1, "the replay dropped");
    expect(events()).toBe(1);
    expect((await heartbeat(plug)).code).toBe(1001);
  });

  it("a token stops working when its session ends: a 1004 with it afterwards is closed without an answer", async () => {
    const plug = device(PLUG);
    const frames = captured(plug);
    await online(plug);
    await plug.hangUp();
    await eventually(() => platform.sessionOf(PLUG.deviceId) === undefined, "the session ended");
    const again = new ScriptedDevice(PLUG.deviceId, PLUG.pin);
    devices.push(again);
    Object.assign(again, { token: plug.token, sessionKey: plug.sessionKey, tcpHost: plug.tcpHost });
    again.sequence = 4242;
    await expect(again.connect("tcp")).rejects.toThrow(LinkClosed);
    expect(
      await exchange(platform.addresses.tcp, frames.find((f) => f.message.code === 1004)?.raw as Buffer),
    ).toHaveLength(0);
  });
});

describe("replays between a login and its connect", () => {
  it("a captured 1002 replayed many times while the device logs in again does not crowd out its new login", async () => {
    const plug = device(PLUG);
    const frames = captured(plug);
    await online(plug);
    const old = frames.find((f) => f.message.code === 1002)?.raw as Buffer;
    await plug.hangUp();
    const again = device(PLUG);
    again.sequence = 4000;
    await again.login(platform.addresses.login);
    for (let i = 0; i < 20; i++) await exchange(platform.addresses.login, old);
    await again.connect("tcp");
    expect((await heartbeat(again)).code).toBe(1001);
  });
});

describe("answers that cannot be sent", () => {
  /**
   * A UDP device's session with its reply address moved to `to`, then a control it never answers (three sends of
   * 2005, 10 s apart): the send errors counted, by their labels.
   */
  async function controlAnsweredTo(to: { address: string; port: number }) {
    const plug = device(PLUG);
    await online(plug, "udp");
    const channel = platform.sessionOf(PLUG.deviceId)?.channel as unknown as
      | { retarget(r: { address: string; port: number }): void }
      | undefined;
    channel?.retarget(to);
    const control = platform.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
    });
    const failed = expect(control).rejects.toMatchObject({ code: "DEVICE_TIMEOUT" });
    await clock.advanceAsync(30_000);
    await failed;
    return (await platform.metrics.sendErrors.get()).values.map((v) => [v.labels, v.value]);
  }

  it("a UDP reply address that cannot be sent to (port 0) fails the request, never the process", async () => {
    // As a fresh datagram from port 0 would have moved it before such datagrams were dropped.
    const errors = await controlAnsweredTo({ address: "127.0.0.1", port: 0 });
    expect(errors).toEqual([[{ transport: "udp", errno: "ERR_SOCKET_BAD_PORT" }, 3]]);
  });

  it("a UDP reply address the kernel refuses to send to (broadcast) is counted by its errno, never the process", async () => {
    // Accepted by the socket, refused by the kernel (no SO_BROADCAST): the error comes to the send's callback.
    const errors = await controlAnsweredTo({ address: "255.255.255.255", port: 9 });
    expect(errors).toEqual([[{ transport: "udp", errno: "EACCES" }, 3]]);
  });

  it("a control whose frame fits the frame limit but not one UDP datagram is refused with 400 for a UDP device", async () => {
    const plug = device(PLUG);
    await online(plug, "udp");
    const control = platform.operations.control(PLUG.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_POWER", cmdParam: "x".repeat(48_969) }],
    });
    await expect(control).rejects.toMatchObject({
      code: "FRAME_TOO_LONG",
      message: expect.stringMatching(/^cmd\.0\.cmdParam: .* \(one UDP datagram\)$/),
    });
    expect(platform.sessionOf(PLUG.deviceId)).toBeDefined();
  });
});

describe("floods are bounded", () => {
  it("connections held from one address beyond its cap are closed at once; logins from another address and the API keep working", async () => {
    await platform.close();
    platform = await startTestPlatform(clock, {
      limits: { maxPendingPerAddress: 20, maxPendingConnections: 30, maxConnections: 100 },
    });
    const { host, port } = splitAddress(platform.addresses.login);
    const held = await Promise.all(
      Array.from(
        { length: 40 },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect({ host, port }, () => resolve(socket));
            socket.on("error", () => undefined);
            sockets.push(socket);
          }),
      ),
    );
    await eventually(
      () => held.filter((s) => s.destroyed || s.readableEnded).length === 20,
      "20 connections over the cap closed",
    );
    const refused = (await platform.metrics.connectionsRefused.get()).values;
    expect(refused).toEqual([
      expect.objectContaining({ labels: { reason: "pending_per_address" }, value: 20 }),
    ]);
    const plug = device(PLUG);
    await plug.login(platform.addresses.login, { from: "127.0.0.2" });
    await plug.connect("tcp", { from: "127.0.0.2" });
    expect((await heartbeat(plug)).code).toBe(1001);
    const api = await fetch(`${platform.addresses.http}/api/devices`);
    expect(api.status).toBe(200);
  });

  it("the total cap of pending connections holds across addresses, and a connected session frees its pending place", async () => {
    await platform.close();
    platform = await startTestPlatform(clock, {
      limits: { maxPendingPerAddress: 100, maxPendingConnections: 3, maxConnections: 100 },
    });
    const plug = device(PLUG);
    await online(plug);
    const { host, port } = splitAddress(platform.addresses.login);
    const held = Array.from({ length: 5 }, (_, i) => {
      const socket = connect({ host, port, localAddress: `127.0.0.${i + 2}` });
      socket.on("error", () => undefined);
      sockets.push(socket);
      return socket;
    });
    await eventually(() => held.filter((s) => s.destroyed || s.readableEnded).length === 2, "two refused");
    const gauge = (await platform.metrics.connectionsOpen.get()).values;
    expect(gauge).toContainEqual(expect.objectContaining({ labels: { state: "session" }, value: 1 }));
    expect(gauge).toContainEqual(expect.objectContaining({ labels: { state: "pending" }, value: 3 }));
  });
  it("a login answered holds no place: its connection is closed once the 1003 is written, even when the device never closes its side", async () => {
    await platform.close();
    platform = await startTestPlatform(clock, {
      limits: { maxPendingPerAddress: 100, maxPendingConnections: 1, maxConnections: 100 },
    });
    const plug = device(PLUG);
    const frames = captured(plug);
    await plug.login(platform.addresses.login);
    const pending = async () =>
      (await platform.metrics.connectionsOpen.get()).values.find((v) => v.labels.state === "pending")?.value;
    await eventually(async () => (await pending()) === 0, "the login's place given back");
    const { host, port } = splitAddress(platform.addresses.login);
    // A replayed 1002 on a connection that stays half-open: answered, as every 1002 is.
    const held = connect({ host, port, allowHalfOpen: true });
    sockets.push(held);
    held.on("error", () => undefined);
    const answer: Buffer[] = [];
    held.on("data", (chunk: Buffer) => answer.push(chunk));
    const ended = new Promise<void>((resolve) => held.once("end", () => resolve()));
    held.write(frames.find((f) => f.message.code === 1002)?.raw as Buffer);
    await ended;
    expect(Buffer.concat(answer).toString("latin1")).toMatch(/"code":1003/);
    // No simulated time passes: the platform let the connection go with its answer, not at the 30 s deadline.
    await eventually(async () => (await pending()) === 0, "the answered connection's place given back");
    await plug.login(platform.addresses.login, { from: "127.0.0.3" });
    expect((await platform.metrics.connectionsRefused.get()).values).toEqual([]);
    expect(held.destroyed).toBe(false);
  });
});
