#!/usr/bin/env node
// A minimal CT smart-home device written from the specification alone (Mc: 5.2, 5.3.1, 5.4.2, 5.4.3.1-3),
// in plain JavaScript with nothing but Node's standard library: it logs in, connects over TCP or UDP,
// reports its state, heartbeats, and executes controls and queries. It imports nothing from hilfarm, so it
// checks hilfarm's platform independently; labs can also use it to check a platform's reachability.
//
//   node examples/clients/ct-device.mjs --login 127.0.0.1:8700 --device-id <id> --pin <32 chars> [--transport udp]
//
// Prints one JSON line per milestone on stdout: {"event":"online",...}, {"event":"control",...}, ...
import { createCipheriv, createDecipheriv, randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    login: { type: "string" },
    "device-id": { type: "string" },
    pin: { type: "string" },
    transport: { type: "string", default: "tcp" },
    model: { type: "string", default: "CT-PLUG-01" },
    status: { type: "string", multiple: true, default: ["POWER=0"] },
  },
});
for (const name of ["login", "device-id", "pin"]) {
  if (!args[name]) {
    console.error(`ct-device: --${name} is required`);
    process.exit(2);
  }
}
const deviceId = args["device-id"];
const pin = args.pin;
const state = Object.fromEntries(args.status.map((s) => s.split("=")));
const say = (event, detail = {}) =>
  process.stdout.write(`${JSON.stringify({ event, deviceId, ...detail })}\n`);
const now = () => Math.floor(Date.now() / 1000);
const hostPort = (text) => {
  const i = text.lastIndexOf(":");
  return [text.slice(0, i), Number(text.slice(i + 1))];
};

// 5.2.2 item 2: AES-128-CBC/PKCS5; login: key = PIN[0..16], IV = PIN[16..32]; after: key = IV = sessionKey.
const seal = (key, iv, body) => {
  const c = createCipheriv("aes-128-cbc", Buffer.from(key, "ascii"), Buffer.from(iv, "ascii"));
  return Buffer.concat([c.update(JSON.stringify(body), "utf8"), c.final()]).toString("base64");
};
const open = (key, iv, data) => {
  const d = createDecipheriv("aes-128-cbc", Buffer.from(key, "ascii"), Buffer.from(iv, "ascii"));
  return JSON.parse(Buffer.concat([d.update(Buffer.from(data, "base64")), d.final()]).toString("utf8"));
};
// 5.2: CTS + JSON + CRLF.
const frame = (envelope) => Buffer.from(`CTS${JSON.stringify(envelope)}\r\n`, "utf8");
const parseFrames = (buffered, onFrame) => {
  let rest = buffered;
  for (let i = rest.indexOf("\r\n"); i >= 0; i = rest.indexOf("\r\n")) {
    const line = rest.slice(0, i);
    rest = rest.slice(i + 2);
    if (line.startsWith("CTS")) onFrame(JSON.parse(line.slice(3)));
  }
  return rest;
};

// 5.3.1 steps 1-4: login with the PIN; check that the platform echoes our random sequence.
async function login() {
  const [host, port] = hostPort(args.login);
  const sequence = String(randomInt(0, 65536));
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let buffered = "";
    socket.on("connect", () => {
      const body = { sequence, deviceId, version: "1.0.0.1", time: now() };
      socket.write(frame({ code: 1002, deviceId, data: seal(pin.slice(0, 16), pin.slice(16, 32), body) }));
    });
    socket.on("data", (chunk) => {
      buffered = parseFrames(buffered + chunk.toString("utf8"), (envelope) => {
        if (envelope.code !== 1003) return;
        const body = open(pin.slice(0, 16), pin.slice(16, 32), envelope.data);
        socket.end();
        if (body.result !== 0 || body.sequence !== sequence)
          reject(new Error(`login refused or fake platform: ${body.result}`));
        else resolve(body);
      });
    });
    socket.on("close", () => reject(new Error("login connection closed without an answer")));
    socket.on("error", reject);
  });
}

async function run() {
  const session = await login();
  say("logged-in", { tcpHost: session.tcpHost, udpHost: session.udpHost });
  const key = session.sessionKey;
  const token = session.token;
  let sequence = randomInt(0, 65536);
  const next = () => {
    sequence = (sequence + 1) % 65536;
    return String(sequence);
  };
  const transport = args.transport;
  const [host, port] = hostPort(transport === "udp" ? session.udpHost : session.tcpHost);
  let send;
  let buffered = "";
  const onData = (text) => {
    buffered = parseFrames(buffered + text, (envelope) =>
      handle(envelope.code, open(key, key, envelope.data)),
    );
  };
  if (transport === "udp") {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.on("message", (datagram) => onData(datagram.toString("utf8")));
    send = (bytes) => socket.send(bytes, port, host);
  } else {
    const socket = connect(port, host);
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.on("data", (chunk) => onData(chunk.toString("utf8")));
    socket.on("close", () => {
      say("disconnected");
      process.exit(1);
    });
    send = (bytes) => socket.write(bytes);
  }
  // Every device-sent frame after login carries the token in clear (5.4.2.2, 5.4.2.3, 5.4.3).
  const sendBody = (code, body) => send(frame({ code, token, data: seal(key, key, body) }));
  const report = () =>
    sendBody(2006, {
      sequence: next(),
      deviceId,
      statusSerials: [
        {
          serialId: "0",
          statusSerial: Object.entries(state).map(([statusName, curStatusValue]) => ({
            statusName,
            curStatusValue,
          })),
        },
      ],
      time: now(),
    });

  function handle(code, body) {
    if (code === 1005) {
      say("online", { transport, heartBeat: body.heartBeat });
      report(); // 5.4.2.2: report the full state at once after connecting.
      const interval = setInterval(
        () => sendBody(1000, { sequence: next(), token, time: now() }),
        (body.heartBeat ?? 30) * 1000,
      );
      interval.unref();
    } else if (code === 1001) {
      say("heartbeat", { result: body.result, sequence: body.sequence });
    } else if (code === 2005) {
      for (const { cmdName, cmdParam } of body.cmd) state[cmdName.replace(/^SET_/, "")] = cmdParam;
      sendBody(2004, { result: 0, sequence: body.sequence, dscp: "ok", deviceId, time: now() });
      say("control", { cmd: body.cmd });
      report(); // 5.4.3.2: report the new state within 10 s.
    } else if (code === 2003) {
      sendBody(2002, { result: 0, sequence: body.sequence, deviceId, time: now() });
      report();
    }
  }
  sendBody(1004, {
    sequence: String(sequence),
    token,
    devVersion: "1.0.0.1",
    model: args.model,
    time: now(),
  });
}

process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
run().catch((error) => {
  console.error(`ct-device: ${error.message}`);
  process.exit(1);
});
