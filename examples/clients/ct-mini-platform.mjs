// A minimal CT smart-home platform written from the specification alone (Mc: 5.2, 5.3.1, 5.4.2, 5.4.3), in plain
// JavaScript with nothing but Node's standard library. It imports nothing from hilfarm, so it checks hilfarm's
// device emulators independently. It records every frame it receives, answers logins, connects, heartbeats and
// device reports, can send a control, and can withhold its answers to chosen codes.
//
//   import { startMiniPlatform } from "./ct-mini-platform.mjs";
//   const platform = await startMiniPlatform({ devices: [{ deviceId, pin }] });
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

const seal = (key, iv, body) => {
  const c = createCipheriv("aes-128-cbc", Buffer.from(key, "ascii"), Buffer.from(iv, "ascii"));
  return Buffer.concat([c.update(JSON.stringify(body), "utf8"), c.final()]).toString("base64");
};
const open = (key, iv, data) => {
  const d = createDecipheriv("aes-128-cbc", Buffer.from(key, "ascii"), Buffer.from(iv, "ascii"));
  return JSON.parse(Buffer.concat([d.update(Buffer.from(data, "base64")), d.final()]).toString("utf8"));
};
const frame = (envelope) => Buffer.from(`CTS${JSON.stringify(envelope)}\r\n`, "utf8");
const secret = () =>
  randomBytes(12)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "x")
    .slice(0, 16);
const now = () => Math.floor(Date.now() / 1000);

/**
 * @param {{ devices: Array<{ deviceId: string, pin: string }>, heartBeat?: number }} options
 */
export async function startMiniPlatform(options) {
  const pins = new Map(options.devices.map((d) => [d.deviceId, d.pin]));
  const byToken = new Map(); // token -> { deviceId, key, send }
  /** Frames received and not yet taken by `next`: { deviceId, code, body }. */
  const received = [];
  const withheld = new Set();
  const waiters = [];
  let platformSequence = 1000;
  // A frame goes to the first waiter it matches, or stays in `received` for a later `next`.
  const note = (entry) => {
    const waiter = waiters.find((w) => w.match(entry));
    if (waiter === undefined) received.push(entry);
    else {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  };
  const lines = (onLine) => {
    let buffered = "";
    return (chunk) => {
      buffered += chunk.toString("utf8");
      for (let i = buffered.indexOf("\r\n"); i >= 0; i = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        if (line.startsWith("CTS")) onLine(line);
      }
    };
  };

  // 5.4.3: the answer to each device request is the code in table 5.2.1 that pairs with it.
  const answerCode = {
    1000: 1001,
    1004: 1005,
    2006: 2007,
    2008: 2009,
    2010: 2011,
    2012: 2013,
    2016: 2017,
    2018: 2019,
    2020: 2021,
    2022: 2023,
    2026: 2027,
    2028: 2029,
    2032: 2033,
    3000: 3001,
    3002: 3003,
  };

  const onSessionLine = (send) => (line) => {
    const envelope = JSON.parse(line.slice(3));
    const session = byToken.get(envelope.token);
    if (!session) return;
    let body;
    try {
      body = open(session.key, session.key, envelope.data);
    } catch {
      return; // 5.2.2 item 6: bad encryption, no answer
    }
    session.send = send;
    note({ deviceId: session.deviceId, code: envelope.code, body });
    const code = answerCode[envelope.code];
    if (code === undefined || withheld.has(envelope.code)) return;
    const answer = { result: 0, sequence: body.sequence, time: now() };
    if (body.deviceId) answer.deviceId = body.deviceId;
    if (body.subDeviceId) answer.subDeviceId = body.subDeviceId;
    if (envelope.code === 2012) answer.authResult = "0";
    if (envelope.code === 1004) answer.heartBeat = options.heartBeat ?? 30;
    send(frame({ code, data: seal(session.key, session.key, answer) }));
  };

  // 5.3.1 steps 2-3: the login server.
  const login = createServer((socket) => {
    socket.on(
      "data",
      lines((line) => {
        const envelope = JSON.parse(line.slice(3));
        const pin = pins.get(envelope.deviceId);
        if (envelope.code !== 1002 || !pin) return socket.destroy();
        let body;
        try {
          body = open(pin.slice(0, 16), pin.slice(16, 32), envelope.data);
        } catch {
          return socket.destroy();
        }
        if (body.deviceId !== envelope.deviceId) return socket.destroy();
        note({ deviceId: envelope.deviceId, code: 1002, body });
        const token = secret();
        const key = secret();
        byToken.set(token, { deviceId: envelope.deviceId, key, send: undefined });
        const response = {
          result: 0,
          sequence: body.sequence,
          sessionKey: key,
          tcpHost: `127.0.0.1:${tcp.address().port}`,
          udpHost: `127.0.0.1:${udp.address().port}`,
          token,
          time: now(),
        };
        socket.end(frame({ code: 1003, data: seal(pin.slice(0, 16), pin.slice(16, 32), response) }));
      }),
    );
    socket.on("error", () => {});
  });
  const tcp = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", lines(onSessionLine((bytes) => socket.write(bytes))));
    socket.on("error", () => {});
  });
  const udp = createSocket("udp4");
  udp.on("message", (datagram, rinfo) => {
    const text = datagram.toString("utf8");
    onSessionLine((bytes) => udp.send(bytes, rinfo.port, rinfo.address))(text.replace(/\r\n$/, ""));
  });
  await new Promise((resolve) => login.listen(0, "127.0.0.1", resolve));
  await new Promise((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  await new Promise((resolve) => udp.bind(0, "127.0.0.1", resolve));

  return {
    loginAddress: `127.0.0.1:${login.address().port}`,
    received,
    /** Stop answering (or answer again) frames of this code. */
    withhold(code, on = true) {
      if (on) withheld.add(code);
      else withheld.delete(code);
    },
    /** The next received frame that matches, including ones already received and not yet taken. */
    next(match) {
      const test = typeof match === "number" ? (e) => e.code === match : match;
      const index = received.findIndex(test);
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]);
      return new Promise((resolve) => waiters.push({ match: test, resolve }));
    },
    /** 5.4.3.2: sends a control (2005) to a connected device; returns the sequence used. */
    control(deviceId, cmd, serialId = "0") {
      const session = [...byToken.values()].find((s) => s.deviceId === deviceId && s.send);
      if (!session) throw new Error(`${deviceId} is not connected`);
      const sequence = String(++platformSequence);
      session.send(
        frame({
          code: 2005,
          data: seal(session.key, session.key, { sequence, deviceId, serialId, cmd, time: now() }),
        }),
      );
      return sequence;
    },
    close() {
      login.close();
      tcp.close();
      udp.close();
    },
  };
}
