// The login floor of bench/login-cost.bench.ts: the least a device side and a platform side can do to log in and
// connect as Mc says, written for the benchmark from the spec with node:net, node:dgram and node:crypto only: no
// hilfarm code, no schema checks, no logger, no metrics, no resends (a device not connected 10 s after power-on starts
// over, whether an answer was lost or its login connection reset).
//   5.4.2.1: a TCP connection to the login server; 1002 {sequence, deviceId, version, time} sealed with the PIN (5.2.2:
//            AES-128-CBC, key = PIN bytes 0-15, IV = PIN bytes 16-31, Base64 in `data`, `deviceId` also in clear);
//            1003 {result, sequence, sessionKey, tcpHost, udpHost, token, time} sealed with the PIN, and the server
//            closes the connection. The device checks the echoed sequence; the server checks the two device ids.
//   5.4.2.2: the first logins after power-on connect over UDP: 1004 {sequence, token, devVersion, model, time} sealed
//            with the session key (key = IV = its 16 ASCII bytes), 1005 {result, sequence, heartBeat, authInterval,
//            time}; then a full state report 2006 (three gangs, POWER) / 2007 and the version report 2022 / 2023.
//   5.4.2.3: heartbeats 1000 / 1001 every <interval-ms> over the same UDP socket.
// A frame is `CTS` + the envelope JSON + CRLF (5.2); a datagram carries one.
//   node bench/frame-cost/bare-login.mjs server
//   node bench/frame-cost/bare-login.mjs client <login-port> <udp-port> <devices> <interval-ms> <ramp/s> <churn/s>
//        [<first device> <source address> <ramp start, ms since the epoch>]
// The server prints {"event":"ready","loginPort":N,"udpPort":N}. The client powers its devices (numbered from <first
// device>, default 0) on at <ramp/s> from <ramp start> (default now), every socket bound to <source address> when
// given; once each has connected it prints {"event":"ramp",...} (its first and last power-on and the moment all were
// online, ms since the epoch, each device's first login round trip in ms: 1002 written to 1003 read, how many
// devices started over and how many login connections failed) and {"event":"online"}, then power-cycles <churn/s> of them a second as the farm's churn does
// (off, and on again 1 s later: a new login connection, a new UDP socket), and prints
// {"event":"count","logins":N,"roundTrips":N,"loginErrors":N,"at":N} every second: the 1003s and the 1001s it has
// received, the login connections that failed, and when it printed the line (ms since the epoch).
import { randomBytes, randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";
import { frame, lines, open, seal, seconds } from "./bare-wire.mjs";

const [mode, ...args] = process.argv.slice(2);

/** Device i's id (24 characters) and PIN (32 ASCII characters), known to both sides. */
const idOf = (i) => `0000bench${String(i).padStart(15, "0")}`;
const pinOf = (i) => Buffer.from(`pin${String(i).padStart(29, "0")}`, "ascii");
const MODEL = "CT-SW3-01";
const VERSION = "1.0.0.3";

/** The envelope of one datagram's frame, or undefined. */
function datagramEnvelope(message) {
  const text = message.toString("latin1");
  if (!text.startsWith("CTS") || !text.endsWith("\r\n")) return undefined;
  return JSON.parse(text.slice(3, -2));
}

if (mode === "server") {
  /** A live session by token, and each device's token (a new login replaces the old one). */
  const sessions = new Map();
  const tokenOfDevice = new Map();
  // One socket serves every device: a burst must not overflow the kernel's default buffer (212 KiB here; Linux caps
  // the request at net.core.rmem_max), which drops datagrams the floor never resends. 4 MiB, as hilfarm's
  // connection server asks.
  const udp = createSocket({
    type: "udp4",
    recvBufferSize: 4 * 1024 * 1024,
    sendBufferSize: 4 * 1024 * 1024,
  });
  const login = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    lines(socket, (json) => {
      try {
        const envelope = JSON.parse(json);
        const pin = pinOf(Number(envelope.deviceId.slice(9)));
        const request = open(pin.subarray(0, 16), pin.subarray(16), envelope.data);
        if (envelope.code !== 1002 || request.deviceId !== envelope.deviceId) return socket.destroy();
        const token = randomBytes(8).toString("hex");
        const sessionKey = randomBytes(8).toString("hex");
        const previous = tokenOfDevice.get(request.deviceId);
        if (previous !== undefined) sessions.delete(previous);
        tokenOfDevice.set(request.deviceId, token);
        sessions.set(token, { deviceId: request.deviceId, key: Buffer.from(sessionKey, "ascii") });
        const { port } = udp.address();
        const answer = {
          result: 0,
          sequence: request.sequence,
          sessionKey,
          tcpHost: `127.0.0.1:${port}`,
          udpHost: `127.0.0.1:${port}`,
          token,
          time: seconds(),
        };
        socket.end(frame({ code: 1003, data: seal(pin.subarray(0, 16), pin.subarray(16), answer) }));
      } catch {
        socket.destroy();
      }
    });
  });
  udp.on("message", (message, from) => {
    try {
      const envelope = datagramEnvelope(message);
      const session = envelope && sessions.get(envelope.token);
      if (session === undefined) return;
      const { key, deviceId } = session;
      const request = open(key, key, envelope.data);
      const { sequence } = request;
      let answer;
      if (envelope.code === 1000) answer = { code: 1001, body: { result: 0, sequence, time: seconds() } };
      else if (envelope.code === 1004)
        answer = {
          code: 1005,
          body: { result: 0, sequence, heartBeat: 30, authInterval: 600, time: seconds() },
        };
      else if (envelope.code === 2006 || envelope.code === 2022)
        answer = { code: envelope.code + 1, body: { result: 0, sequence, deviceId, time: seconds() } };
      else return;
      udp.send(frame({ code: answer.code, data: seal(key, key, answer.body) }), from.port, from.address);
    } catch {
      // a datagram that does not decode is dropped
    }
  });
  udp.bind(0, "127.0.0.1", () =>
    login.listen(0, "127.0.0.1", () => {
      const ready = { event: "ready", loginPort: login.address().port, udpPort: udp.address().port };
      console.log(JSON.stringify(ready));
    }),
  );
} else if (mode === "client") {
  const [loginPort, udpPort, count, intervalMs, rampPerSecond, churnPerSecond, first = 0] = args
    .slice(0, 7)
    .map(Number);
  const localAddress = args[7];
  const rampStart = args[8] === undefined ? Date.now() : Number(args[8]);
  let logins = 0;
  let roundTrips = 0;
  let online = 0;
  const fail = (what) => {
    console.error(`bare-login client: ${what}`);
    process.exit(1);
  };

  /** One device: its login connection, then its UDP socket, requests and heartbeats. */
  const devices = Array.from({ length: count }, (_, k) => ({ i: first + k, sequence: 0, everOnline: false }));
  /** The ramp as this client saw it: each device's first login round trip, and the devices that started over. */
  const ramp = {
    firstPowerOnAt: 0,
    lastPowerOnAt: 0,
    allOnlineAt: 0,
    loginMs: [],
    startedOver: 0,
    loginErrors: 0,
  };

  function send(device, code, body) {
    device.sequence = (device.sequence + 1) & 0xffff;
    const sealed = seal(device.key, device.key, { sequence: String(device.sequence), ...body });
    device.udp.send(frame({ code, token: device.token, data: sealed }));
  }

  function onDatagram(device, message) {
    const envelope = datagramEnvelope(message);
    if (envelope === undefined) return;
    const answer = open(device.key, device.key, envelope.data);
    if (answer.result !== 0) fail(`device ${device.i}: ${envelope.code} result ${answer.result}`);
    if (envelope.code === 1001) roundTrips++;
    else if (envelope.code === 1005) {
      const statusSerials = ["1", "2", "3"].map((serialId) => ({
        serialId,
        statusSerial: [{ statusName: "POWER", curStatusValue: "0" }],
      }));
      send(device, 2006, { deviceId: idOf(device.i), statusSerials, time: seconds() });
    } else if (envelope.code === 2007) {
      send(device, 2022, {
        deviceId: idOf(device.i),
        model: MODEL,
        device: { version: VERSION },
        time: seconds(),
      });
    } else if (envelope.code === 2023) {
      clearTimeout(device.deadline);
      const beat = () => send(device, 1000, { token: device.token, time: seconds() });
      device.heartbeat = setInterval(beat, intervalMs);
      if (!device.everOnline) {
        device.everOnline = true;
        if (++online === count) {
          ramp.allOnlineAt = Date.now();
          console.log(JSON.stringify({ event: "ramp", ...ramp }));
          console.log(JSON.stringify({ event: "online" }));
        }
      }
    }
  }

  function powerOn(device) {
    // 5.2: no answer within 10 s. The floor does not resend: a device not connected by then starts over (a datagram
    // lost on loopback would otherwise leave it out of the count for good).
    device.deadline = setTimeout(() => {
      if (!device.everOnline) ramp.startedOver++;
      powerOff(device);
      powerOn(device);
    }, 10_000);
    const pin = pinOf(device.i);
    const deviceId = idOf(device.i);
    const sequence = String(randomInt(65536));
    const socket = connect({ host: "127.0.0.1", port: loginPort, ...(localAddress ? { localAddress } : {}) });
    device.login = socket;
    socket.setNoDelay(true);
    // A login the server resets or refuses (its accept queue full on a busy host) is not the floor's end: the device
    // starts over at its 10 s deadline, as after a lost answer, and the reset is counted.
    socket.on("error", () => {
      if (device.login !== socket) return;
      device.login = undefined;
      ramp.loginErrors++;
    });
    socket.on("connect", () => {
      const body = { sequence, deviceId, version: "1.0.0.0", time: seconds() };
      device.loginSentAt = performance.now();
      socket.write(frame({ code: 1002, deviceId, data: seal(pin.subarray(0, 16), pin.subarray(16), body) }));
    });
    lines(socket, (json) => {
      const answer = open(pin.subarray(0, 16), pin.subarray(16), JSON.parse(json).data);
      if (answer.result !== 0 || answer.sequence !== sequence) fail(`device ${device.i}: bad 1003`);
      logins++;
      if (!device.everOnline)
        ramp.loginMs.push(Math.round((performance.now() - device.loginSentAt) * 100) / 100);
      socket.end();
      device.login = undefined;
      device.token = answer.token;
      device.key = Buffer.from(answer.sessionKey, "ascii");
      device.sequence = randomInt(65536);
      const udp = createSocket("udp4");
      device.udp = udp;
      udp.on("message", (message) => onDatagram(device, message));
      udp.on("error", (error) => fail(`device ${device.i} udp: ${error.message}`));
      const connectUdp = () =>
        udp.connect(udpPort, "127.0.0.1", () =>
          send(device, 1004, { token: device.token, devVersion: VERSION, model: MODEL, time: seconds() }),
        );
      if (localAddress) udp.bind(0, localAddress, connectUdp);
      else connectUdp();
    });
  }

  function powerOff(device) {
    clearTimeout(device.deadline);
    clearInterval(device.heartbeat);
    device.login?.destroy();
    device.udp?.close();
    device.login = undefined;
    device.udp = undefined;
  }

  // The ramp, every 10 ms as many devices as are due since its start (a late turn catches up, as the farm's timer
  // wheel does); then, once a second, the churn: devices picked at random (one already off is skipped), each off
  // for 1 s.
  let next = 0;
  const ramping = setInterval(() => {
    const due = Math.min(count, Math.floor(((Date.now() - rampStart) * rampPerSecond) / 1000));
    if (next === 0 && due > 0) ramp.firstPowerOnAt = Date.now();
    while (next < due) powerOn(devices[next++]);
    if (next < count) return;
    ramp.lastPowerOnAt = Date.now();
    clearInterval(ramping);
    let credit = 0;
    setInterval(() => {
      if (online < count) return;
      for (credit += churnPerSecond; credit >= 1; credit--) {
        const device = devices[randomInt(count)];
        if (device.off) continue;
        device.off = true;
        powerOff(device);
        setTimeout(() => {
          device.off = false;
          powerOn(device);
        }, 1000);
      }
    }, 1000);
  }, 10);
  setInterval(() => {
    const at = Date.now();
    console.log(JSON.stringify({ event: "count", logins, roundTrips, loginErrors: ramp.loginErrors, at }));
  }, 1000);
  process.on("SIGTERM", () => process.exit(0));
} else {
  console.error(
    "usage: bare-login.mjs server | client <login-port> <udp-port> <devices> <interval-ms> <ramp/s> <churn/s>",
  );
  process.exit(2);
}
