#!/usr/bin/env node
// The phone-app side of the CT LAN interface (Md, chapter 6), written from the specification and the project's
// readings of it (protocol-decisions.md section 9) alone, in plain JavaScript with nothing but Node's standard
// library. It imports nothing from hilfarm, so it checks hilfarm's emulated devices independently.
//
//   node examples/clients/md-app.mjs discover --target 127.0.0.1:7680 [--target ...] [--model M]
//   node examples/clients/md-app.mjs control --device <id> --address 127.0.0.1:7681 (--api <url> | --pin <32 chars>)
//        [--set 1=1 ...] [--query] [--watch-ms N]
//
// Prints one JSON line per event on stdout. Exit codes: 0 success, 1 failure, 2 usage error.
import { createCipheriv, createDecipheriv, randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { parseArgs } from "node:util";

const usage = (cause) => {
  console.error(`md-app: ${cause}`);
  process.exit(2);
};
const fail = (reason) => {
  say("error", { reason });
  process.exit(1);
};
const say = (event, detail = {}) => process.stdout.write(`${JSON.stringify({ event, ...detail })}\n`);
const hostPort = (text, option) => {
  const i = text.lastIndexOf(":");
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) usage(`--${option} must be host:port`);
  return [text.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port];
};
const count = (text, option, least = 0) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < least) usage(`--${option} must be a whole number, at least ${least}`);
  return n;
};

// 6.2.1: the search struct and its answer; big-endian integers.
//   request:  u8 modelLength, model, u32 timestamp (s), u16 platform (0 = CT cloud)
//   response: u16 code, u8 deviceIdLength, deviceId, mac[6], u8 modelLength, model,
//             u8 x3 flags (struct order: protocol, lanControl, onConfig; table order: lanControl, protocol,
//             onConfig), u64 bindKey (0 unless onConfig is 1)
const searchStruct = (model) => {
  const name = Buffer.from(model, "utf8");
  if (name.length > 255) usage("--model is longer than 255 bytes");
  const out = Buffer.alloc(1 + name.length + 4 + 2);
  out.writeUInt8(name.length, 0);
  name.copy(out, 1);
  out.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 1 + name.length);
  out.writeUInt16BE(0, 5 + name.length);
  return out;
};
const parseAnswer = (bytes, flagOrder, searched) => {
  let at = 0;
  const need = (n, what) => {
    if (at + n > bytes.length) throw new Error(`answer ends inside ${what} (${bytes.length} bytes)`);
  };
  const u8 = (what) => {
    need(1, what);
    return bytes.readUInt8(at++);
  };
  const text = (what) => {
    const n = u8(`${what} length`);
    need(n, what);
    at += n;
    return bytes.subarray(at - n, at).toString("utf8");
  };
  need(2, "code");
  const code = bytes.readUInt16BE(0);
  at = 2;
  const deviceId = text("deviceId");
  need(6, "mac");
  const mac = [...bytes.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, "0")).join(":");
  at += 6;
  const model = text("model");
  const [first, second, onConfig] = [u8("flags"), u8("flags"), u8("flags")];
  const [protocol, lanControl] = flagOrder === "table" ? [second, first] : [first, second];
  need(8, "bindKey");
  const bindKey = bytes.readBigUInt64BE(at);
  at += 8;
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes after bindKey`);
  if (deviceId.length === 0) throw new Error("empty deviceId");
  if (protocol !== 0) throw new Error(`protocol ${protocol}: the spec defines only 0 (json)`);
  if (lanControl > 2) throw new Error(`lanControl ${lanControl} is not 0, 1 or 2`);
  if (onConfig > 1) throw new Error(`onConfig ${onConfig} is not 0 or 1`);
  if (onConfig === 0 && bindKey !== 0n) throw new Error(`bindKey ${bindKey} while onConfig is 0`);
  if (searched && model !== searched)
    throw new Error(`model ${JSON.stringify(model)} answered a search for ${searched}`);
  return { deviceId, mac, model, protocol, lanControl, onConfig, bindKey: String(bindKey), code };
};

async function discover(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string", multiple: true },
      model: { type: "string", default: "" },
      "timeout-ms": { type: "string", default: "1000" },
      "flag-order": { type: "string", default: "struct" },
    },
  });
  if (!values.target?.length) usage("discover: --target host:port is required");
  if (!["struct", "table"].includes(values["flag-order"])) usage("--flag-order must be struct or table");
  const timeout = count(values["timeout-ms"], "timeout-ms");
  const targets = values.target.map((t) => hostPort(t, "target"));
  const request = searchStruct(values.model);
  const socket = createSocket(targets.some(([host]) => host.includes(":")) ? "udp6" : "udp4");
  let found = 0;
  socket.on("message", (bytes, from) => {
    const address = `${from.family === "IPv6" ? `[${from.address}]` : from.address}:${from.port}`;
    try {
      say("found", { ...parseAnswer(bytes, values["flag-order"], values.model), address });
      found++;
    } catch (error) {
      say("bad-answer", { address, reason: error.message });
    }
  });
  socket.on("error", (error) => fail(`udp: ${error.message}`));
  await new Promise((resolve) => socket.bind(0, resolve));
  for (const [host, port] of targets) socket.send(request, port, host);
  await new Promise((resolve) => setTimeout(resolve, timeout));
  socket.close();
  process.exit(found > 0 ? 0 : 1);
}

// 5.2.2 item 2 and 6.2.2: lanKey = the first 16 bytes of AES-128-CBC/PKCS#7 over the 16 ASCII digits of rand,
// key = PIN bytes 0-15, IV = PIN bytes 16-31, as 32 lowercase hex characters. Checked against OpenSSL:
//   P=0123456789abcdefghijklmnopqrstuv R=1234567890123456
//   printf %s "$R" | openssl enc -aes-128-cbc -K $(printf %s "${P:0:16}" | xxd -p) \
//     -iv $(printf %s "${P:16:16}" | xxd -p) | xxd -p -c 64 | cut -c1-32
//   -> 3db0486c55b95f0037a8a8e420ede58c  (lanKeyFromPin(P, R) gives the same)
const lanKeyFromPin = (pin, rand) => {
  const c = createCipheriv(
    "aes-128-cbc",
    Buffer.from(pin.slice(0, 16), "ascii"),
    Buffer.from(pin.slice(16), "ascii"),
  );
  return Buffer.concat([c.update(rand, "ascii"), c.final()])
    .subarray(0, 16)
    .toString("hex");
};
async function lanKeyFromApi(api, token, deviceId, rand, timeout) {
  const url = `${api.replace(/\/+$/, "")}/api/devices/${encodeURIComponent(deviceId)}/lan-key`;
  const headers = {
    "content-type": "application/json",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const answer = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ rand }),
    signal: AbortSignal.timeout(timeout),
  });
  if (!answer.ok) throw new Error(`lan-key: HTTP ${answer.status}`);
  const body = await answer.json();
  if (typeof body?.lanKey !== "string" || !/^[0-9a-f]{32}$/.test(body.lanKey))
    throw new Error(`lan-key: lanKey ${JSON.stringify(body?.lanKey)} is not 32 lowercase hex characters`);
  if (body.liveTime !== undefined && !(Number.isInteger(body.liveTime) && body.liveTime > 0))
    throw new Error(`lan-key: liveTime ${JSON.stringify(body.liveTime)} is not a positive whole number`);
  return body;
}

// After auth, every frame is CTS{"data":"<Base64 of AES-128-CBC(message)>"}\r\n with key = IV = the lanKey bytes.
const seal = (key, message) => {
  const c = createCipheriv("aes-128-cbc", key, key);
  return Buffer.concat([c.update(JSON.stringify(message), "utf8"), c.final()]).toString("base64");
};
const open = (key, data) => {
  const d = createDecipheriv("aes-128-cbc", key, key);
  return JSON.parse(Buffer.concat([d.update(Buffer.from(data, "base64")), d.final()]).toString("utf8"));
};
const isAttributes = (as) =>
  as !== null &&
  typeof as === "object" &&
  !Array.isArray(as) &&
  Object.keys(as).every((k) => /^\d+$/.test(k));

async function control(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: "string" },
      address: { type: "string" },
      api: { type: "string" },
      "api-token": { type: "string" },
      pin: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
      query: { type: "boolean", default: false },
      "watch-ms": { type: "string", default: "0" },
      "live-time": { type: "string", default: "300" },
      "timeout-ms": { type: "string", default: "5000" },
    },
  });
  const deviceId = values.device;
  if (!deviceId) usage("control: --device is required");
  if (!values.address) usage("control: --address host:port is required");
  if (!values.api === !values.pin) usage("control: give exactly one of --api and --pin");
  if (values.pin !== undefined && !/^[\x20-\x7e]{32}$/.test(values.pin))
    usage("--pin must be 32 ASCII characters");
  if (values["api-token"] && !values.api) usage("--api-token goes with --api");
  const [host, port] = hostPort(values.address, "address");
  const watch = count(values["watch-ms"], "watch-ms");
  const timeout = count(values["timeout-ms"], "timeout-ms", 1);
  let liveTime = count(values["live-time"], "live-time", 1);
  const set = {};
  for (const item of values.set) {
    const match = /^(\d+)=(.*)$/s.exec(item);
    if (!match) usage(`--set ${item}: expected <attribute number>=<value>`);
    let value = match[2];
    try {
      value = JSON.parse(value);
    } catch {} // not JSON: keep it as a string
    set[match[1]] = value;
  }

  // 6.2.2: the rand is 16 ASCII digits (first digit non-zero, so it is also a 16-digit integer).
  const rand = String(randomInt(1, 10)) + Array.from({ length: 15 }, () => randomInt(0, 10)).join("");
  let lanKey;
  if (values.pin) lanKey = lanKeyFromPin(values.pin, rand);
  else {
    const answer = await lanKeyFromApi(values.api, values["api-token"], deviceId, rand, timeout);
    lanKey = answer.lanKey;
    liveTime = answer.liveTime ?? liveTime;
  }
  const key = Buffer.from(lanKey, "hex");

  const socket = connect(port, host);
  socket.setNoDelay(true);
  socket.setEncoding("utf8"); // keeps a UTF-8 character split across TCP segments whole
  const connected = new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${timeout} ms`)), timeout);
  await connected.finally(() => clearTimeout(timer));

  // Incoming frames: CTS + JSON + CRLF. The first one (the auth answer) is clear; every later one carries data.
  let clear = true;
  let buffered = "";
  let waiter = null; // { resolve(message) } while an answer is awaited
  let closing = false;
  let paused = false;
  const deliver = (message, first = false) => {
    if (!first && message?.cmd === "post" && message.mid === undefined) {
      if (message.from !== deviceId) fail(`post from ${JSON.stringify(message.from)}, expected ${deviceId}`);
      if (!isAttributes(message.as)) fail(`post with malformed as: ${JSON.stringify(message.as)}`);
      say("post", {
        as: message.as,
        ...(message.fids ? { fids: message.fids } : {}),
        ...(message.ota ? { ota: message.ota } : {}),
      });
      return;
    }
    if (!waiter) fail(`unexpected message: ${JSON.stringify(message)}`);
    const w = waiter;
    waiter = null;
    // Let the awaiting code print this answer before the lines behind it in the same segment.
    paused = true;
    setImmediate(() => {
      paused = false;
      drain();
    });
    w.resolve(message);
  };
  const onLine = (line) => {
    if (!line.startsWith("CTS")) fail(`frame does not start with CTS: ${JSON.stringify(line.slice(0, 40))}`);
    let envelope;
    try {
      envelope = JSON.parse(line.slice(3));
    } catch {
      fail(`frame is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (clear) {
      clear = false;
      return deliver(envelope, true);
    }
    if (typeof envelope?.data !== "string" || Object.keys(envelope).length !== 1)
      fail(`frame after auth is not {"data":...}: ${JSON.stringify(envelope).slice(0, 80)}`);
    let message;
    try {
      message = open(key, envelope.data);
    } catch (error) {
      fail(`frame does not decrypt with the lanKey: ${error.message}`);
    }
    deliver(message);
  };
  const drain = () => {
    for (let i = buffered.indexOf("\r\n"); i >= 0 && !paused; i = buffered.indexOf("\r\n")) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 2);
      onLine(line);
    }
    if (buffered.length > 65536 && buffered.indexOf("\r\n") < 0) fail("more than 64 KiB without CRLF");
  };
  socket.on("data", (chunk) => {
    buffered += chunk;
    drain();
  });
  socket.on("error", (error) => fail(`tcp: ${error.message}`));
  socket.on("close", () => {
    if (!closing) fail(`device closed the connection${clear ? " before answering auth" : ""}`);
  });
  const answer = (what) =>
    new Promise((resolve) => {
      const t = setTimeout(() => fail(`no answer to ${what} within ${timeout} ms`), timeout);
      waiter = {
        resolve: (message) => {
          clearTimeout(t);
          resolve(message);
        },
      };
    });
  const send = (message) => socket.write(`CTS${JSON.stringify({ data: seal(key, message) })}\r\n`);
  let mids = randomInt(1000000, 9000000);
  const nextMid = () => String(++mids);

  // 6.2.2: auth travels in clear; a non-zero code is a refusal and the device closes.
  socket.write(
    `CTS${JSON.stringify({ cmd: "auth", to: deviceId, rand, lanKey, liveTime: String(liveTime) })}\r\n`,
  );
  const authAnswer = await answer("auth");
  if (authAnswer?.cmd !== "resp" || typeof authAnswer.code !== "number")
    fail(`auth answer is not {"cmd":"resp","code":<number>}: ${JSON.stringify(authAnswer).slice(0, 80)}`);
  say("auth", { code: authAnswer.code });
  if (authAnswer.code !== 0) {
    closing = true;
    socket.destroy();
    process.exit(1);
  }

  // 6.2.3: query -> resp with the same mid, as, and optionally asc, fids, ota.
  if (values.query) {
    const mid = nextMid();
    send({ cmd: "query", to: deviceId, mid });
    const resp = await answer("query");
    if (resp?.cmd !== "resp") fail(`query answered by ${JSON.stringify(resp?.cmd)}, expected resp`);
    if (resp.mid !== mid) fail(`mid ${JSON.stringify(resp.mid)} in the answer to query ${mid}`);
    if (resp.code !== 0) fail(`query refused with code ${JSON.stringify(resp.code)}`);
    if (!isAttributes(resp.as)) fail(`query answer with malformed as: ${JSON.stringify(resp.as)}`);
    if (resp.asc !== undefined && !isAttributes(resp.asc)) fail(`malformed asc: ${JSON.stringify(resp.asc)}`);
    say("state", { as: resp.as, asc: resp.asc, fids: resp.fids, ota: resp.ota });
  }

  // 6.2.4: one opt with every --set attribute -> post with the same mid, from = the device.
  if (Object.keys(set).length > 0) {
    const mid = nextMid();
    send({ cmd: "opt", mid, to: deviceId, as: set });
    const post = await answer("opt");
    if (post?.cmd !== "post") fail(`opt answered by ${JSON.stringify(post?.cmd)}, expected post`);
    if (post.mid !== mid) fail(`mid ${JSON.stringify(post.mid)} in the answer to opt ${mid}`);
    if (post.from !== deviceId) fail(`post from ${JSON.stringify(post.from)}, expected ${deviceId}`);
    if (!isAttributes(post.as)) fail(`opt answer with malformed as: ${JSON.stringify(post.as)}`);
    say("post", { mid: post.mid, as: post.as });
  }

  // 6.2.5: spontaneous posts (no mid) are printed by deliver() as they come; wait for them if asked.
  if (watch > 0) await new Promise((resolve) => setTimeout(resolve, watch));
  closing = true;
  await new Promise((resolve) => {
    socket.once("close", resolve);
    setTimeout(resolve, 1000).unref();
    socket.end();
  });
  process.exit(0);
}

const [command, ...rest] = process.argv.slice(2);
const commands = { discover, control };
if (!commands[command]) usage(`expected a command: discover or control (got ${command ?? "nothing"})`);
try {
  await commands[command](rest);
} catch (error) {
  if (error.code?.startsWith("ERR_PARSE_ARGS")) usage(error.message);
  fail(error.cause?.message ? `${error.message}: ${error.cause.message}` : error.message);
}
