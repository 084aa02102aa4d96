#!/usr/bin/env node
// The third-party business platform's side of the platform-to-platform interface (C, chapter 7: C21-C31, 7.3.2),
// written from the specification and the project's readings of it (protocol-decisions.md section 10) alone, in
// plain JavaScript with nothing but Node's standard library. It imports nothing from hilfarm, so it checks hilfarm's
// smart-home platform (the caller of C21-C31) independently.
//
//   node examples/clients/c-third-party-server.mjs --ca ca.pem --cert server.pem --key server-key.pem \
//        --cloud-id ID --cloud-key KEY --device SN:TYPE[:[serialId/]name=value,...] [--sub GW:SN] \
//        [--offline SN] [--host 127.0.0.1] [--port 0] [--token-ttl-ms 7200000]
//
// Prints a ready line, then one JSON line per request on stdout. Exit codes: 2 usage error; runs until killed.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { parseArgs } from "node:util";

const usage = (cause) => {
  console.error(`c-third-party-server: ${cause}`);
  process.exit(2);
};
const say = (event, detail = {}) => process.stdout.write(`${JSON.stringify({ event, ...detail })}\n`);

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      ca: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      "cloud-id": { type: "string" },
      "cloud-key": { type: "string" },
      device: { type: "string", multiple: true, default: [] },
      sub: { type: "string", multiple: true, default: [] },
      offline: { type: "string", multiple: true, default: [] },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      "token-ttl-ms": { type: "string", default: "7200000" },
    },
  }));
} catch (error) {
  usage(error.message);
}
for (const name of ["ca", "cert", "key", "cloud-id", "cloud-key"])
  if (!args[name]) usage(`--${name} is required`);
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0-65535 (got ${args.port})`);
const tokenTtlMs = Number(args["token-ttl-ms"]);
if (!Number.isInteger(tokenTtlMs) || tokenTtlMs < 1)
  usage(`--token-ttl-ms must be at least 1 (got ${args["token-ttl-ms"]})`);
const readPem = (option) => {
  try {
    return readFileSync(args[option]);
  } catch (error) {
    return usage(`--${option}: ${error.message}`);
  }
};

// The devices this platform holds: SN -> {deviceType, online (Int 0/1, 7.3.2.6), status: StatusInfo[], resource:
// ResourceList[], gwId}. A status given as name=value is on line serialId "0" (a single-line device),
// as 2/name=value on line 2 of a multi-line one.
const devices = new Map();
for (const spec of args.device) {
  const [sn, deviceType, statusText] = spec.split(":");
  if (!sn || !deviceType) usage(`--device must be SN:TYPE[:[serialId/]name=value,...] (got ${spec})`);
  const status = (statusText ? statusText.split(",") : []).map((pair) => {
    const m = /^(?:(\d+)\/)?([^=/]+)=(.*)$/.exec(pair);
    if (!m) usage(`--device ${sn}: status must be [serialId/]name=value (got ${pair})`);
    return { serialId: m[1] ?? "0", name: m[2], value: m[3] };
  });
  devices.set(sn, { deviceType, online: 1, status, resource: [], gwId: undefined });
}
for (const sn of args.offline) {
  if (!devices.has(sn)) usage(`--offline ${sn}: no such --device`);
  devices.get(sn).online = 0;
}
for (const pair of args.sub) {
  const [gw, sn] = pair.split(":");
  if (!devices.has(gw) || !devices.has(sn)) usage(`--sub must be GW:SN of two --device (got ${pair})`);
  devices.get(sn).gwId = gw;
}

// 7.3.2.12: the error codes of the third-party platform.
const OK = 0;
const TOKEN_INVALID = 1001;
const BAD_PARAMETER = 1002;
const NO_DEVICE = 1003;

class Refusal extends Error {
  constructor(code, desc) {
    super(desc);
    this.code = code;
  }
}
const refuse = (code, desc) => {
  throw new Refusal(code, desc);
};

// 7.3.2 (every request table): sequenceNo is "YYYYMMDDHHMMSSxxxx"; protocol-decisions 10 makes the recommended
// form the rule: a DateTime (7.1.3) followed by 4 digits.
const SEQUENCE_NO = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\d{4}$/;
function checkSequenceNo(value) {
  const m = SEQUENCE_NO.exec(value);
  const [mo, d, h, mi, s] = m ? m.slice(2).map(Number) : [];
  if (!m || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    refuse(BAD_PARAMETER, `sequenceNo: must be YYYYMMDDHHMMSS + 4 digits (got ${JSON.stringify(value)})`);
  }
}

/** Each named field must be a non-empty String (7.1.3: every parameter of these tables is a String). */
function requireStrings(body, names, where = "") {
  for (const name of names) {
    const value = body[name];
    if (typeof value !== "string" || value === "") {
      refuse(BAD_PARAMETER, `${where}${name}: required String (got ${JSON.stringify(value) ?? "nothing"})`);
    }
  }
}
function optionalString(body, name) {
  if (body[name] !== undefined && typeof body[name] !== "string") {
    refuse(BAD_PARAMETER, `${name}: String when given (got ${JSON.stringify(body[name])})`);
  }
}

// Tokens issued by C21: access_token -> expiredAt (ms since the epoch, protocol-decisions 10).
const tokens = new Map();
function checkToken(body) {
  const token = body.access_token;
  const expiredAt = typeof token === "string" ? tokens.get(token) : undefined;
  if (expiredAt === undefined) refuse(TOKEN_INVALID, "access_token: missing or not issued by this platform");
  if (Date.now() >= expiredAt) {
    tokens.delete(token);
    refuse(TOKEN_INVALID, `access_token: expired at ${expiredAt}`);
  }
}

/** The device a request names by `field`, checking a given deviceType against it (1003 when unknown). */
function deviceOf(body, field = "deviceSN") {
  const device = devices.get(body[field]);
  if (!device) refuse(NO_DEVICE, `${field}: no device ${JSON.stringify(body[field])}`);
  if (field === "deviceSN" && body.deviceType !== undefined && body.deviceType !== device.deviceType) {
    refuse(
      BAD_PARAMETER,
      `deviceType: ${JSON.stringify(body.deviceType)} is not the type of ${body.deviceSN} (${device.deviceType})`,
    );
  }
  return device;
}

const statusList = (device) => device.status.map((s) => ({ ...s }));
const withResource = (device) => (device.resource.length > 0 ? { resource: device.resource } : {});
const subsOf = (gwId) => [...devices].filter(([, d]) => d.gwId === gwId);

// 7.3.2.8 C28: cmds is Array<CmdInfo{name, value}>, every value a String; serialId "0" on a multi-line device
// means every line.
function applyCmds(device, serialId, cmds) {
  if (!Array.isArray(cmds) || cmds.length === 0) {
    refuse(BAD_PARAMETER, `cmds: required Array<CmdInfo> (got ${JSON.stringify(cmds) ?? "nothing"})`);
  }
  for (const [i, cmd] of cmds.entries()) requireStrings(cmd ?? {}, ["name", "value"], `cmds[${i}].`);
  const touched = [];
  for (const { name, value } of cmds) {
    let lines = device.status.filter((s) => s.name === name && (serialId === "0" || s.serialId === serialId));
    if (lines.length === 0) {
      lines = [{ serialId, name, value }];
      device.status.push(lines[0]);
    }
    for (const line of lines) {
      line.value = value;
      if (!touched.includes(line)) touched.push(line);
    }
  }
  return touched.map((s) => ({ ...s }));
}

// 7.3.2.9 C31: ResourceList{serialId, resName, resInfo: Array<ResDetail{mode, key...}>}; mode "1" adds, "2" modifies,
// "3" deletes. The spec names no key for an entry: an entry is identified here by its first key other than mode.
function manageResources(device, resource = []) {
  if (!Array.isArray(resource))
    refuse(BAD_PARAMETER, `resource: Array<ResourceList> (got ${JSON.stringify(resource)})`);
  for (const [i, list] of resource.entries()) {
    requireStrings(list ?? {}, ["serialId", "resName"], `resource[${i}].`);
    if (!Array.isArray(list.resInfo))
      refuse(BAD_PARAMETER, `resource[${i}].resInfo: required Array<ResDetail>`);
    for (const [j, detail] of list.resInfo.entries()) {
      if (!["1", "2", "3"].includes(detail?.mode)) {
        const got = JSON.stringify(detail?.mode);
        refuse(BAD_PARAMETER, `resource[${i}].resInfo[${j}].mode: "1", "2" or "3" (got ${got})`);
      }
    }
  }
  for (const { serialId, resName, resInfo } of resource) {
    let held = device.resource.find((r) => r.serialId === serialId && r.resName === resName);
    if (!held) {
      held = { serialId, resName, resInfo: [] };
      device.resource.push(held);
    }
    for (const { mode, ...entry } of resInfo) {
      const [idKey] = Object.keys(entry);
      const at = held.resInfo.findIndex((e) => idKey !== undefined && e[idKey] === entry[idKey]);
      if (mode === "1" || (mode === "2" && at < 0)) held.resInfo.push(entry);
      else if (mode === "2") held.resInfo[at] = entry;
      else if (at >= 0) held.resInfo.splice(at, 1);
    }
  }
  device.resource = device.resource.filter((r) => r.resInfo.length > 0);
}

// 7.3.2.1-7.3.2.11: path -> [interface, required Strings besides access_token and sequenceNo].
const interfaces = {
  "/device/bind": ["C22", ["deviceSN"]],
  "/device/unbind": ["C23", ["deviceSN"]],
  "/device/sub/bind": ["C24", ["gwId", "deviceSN"]],
  "/device/sub/unbind": ["C25", ["gwId", "deviceSN"]],
  "/device/online/get": ["C26", ["deviceSN"]],
  "/device/status/get": ["C27", ["deviceSN"]],
  "/device/control": ["C28", ["deviceSN", "serialId"]],
  "/device/resManage": ["C31", ["deviceSN"]],
  "/gateway/subList": ["C29", ["gwId"]],
  "/gateway/subDetailList": ["C30", ["gwId"]],
};

// The answer fields besides code and desc, as each response table lists them.
const answers = {
  C22: (b) => ({ deviceSN: b.deviceSN, deviceType: deviceOf(b).deviceType, sequenceNo: b.sequenceNo }),
  C23(b) {
    deviceOf(b);
    return {};
  },
  C24(b) {
    deviceOf(b, "gwId");
    deviceOf(b).gwId = b.gwId;
    return {};
  },
  C25(b) {
    deviceOf(b, "gwId");
    const d = deviceOf(b);
    if (d.gwId !== b.gwId) refuse(NO_DEVICE, `deviceSN: ${b.deviceSN} is not a sub-device of gwId ${b.gwId}`);
    d.gwId = undefined;
    return {};
  },
  C26: (b) => ({ online: deviceOf(b).online }),
  C27(b) {
    const d = deviceOf(b);
    return { status: statusList(d), ...withResource(d) };
  },
  C28: (b) => ({ result: applyCmds(deviceOf(b), b.serialId, b.cmds) }),
  C31(b) {
    manageResources(deviceOf(b), b.resource);
    return {};
  },
  C29(b) {
    const gw = deviceOf(b, "gwId");
    const subs = subsOf(b.gwId).map(([sn, d]) => ({
      deviceSN: sn,
      deviceType: d.deviceType,
      online: d.online,
    }));
    return { gwId: b.gwId, deviceType: gw.deviceType, online: gw.online, devices: subs };
  },
  // 7.3.2.11 types the gateway's own status as StatusInfo; read as Array<StatusInfo>, as for its sub-devices.
  C30(b) {
    const gw = deviceOf(b, "gwId");
    const subs = subsOf(b.gwId).map(([sn, d]) => ({
      deviceSN: sn,
      deviceType: d.deviceType,
      status: statusList(d),
      ...withResource(d),
    }));
    return {
      gwId: b.gwId,
      deviceType: gw.deviceType,
      status: statusList(gw),
      ...withResource(gw),
      devices: subs,
    };
  },
};

/** C21 (7.3.2.1): a token for the cloudId/cloudKey exchanged offline; expiredAt in ms (protocol-decisions 10). */
function issueToken(body) {
  requireStrings(body, ["cloudId", "cloudKey", "sequenceNo"]);
  checkSequenceNo(body.sequenceNo);
  if (body.cloudId !== args["cloud-id"] || body.cloudKey !== args["cloud-key"]) {
    refuse(
      BAD_PARAMETER,
      `cloudId/cloudKey: not the pair exchanged with this platform (cloudId ${body.cloudId})`,
    );
  }
  const token = randomBytes(16).toString("hex");
  const expiredAt = Date.now() + tokenTtlMs;
  tokens.set(token, expiredAt);
  return { access_token: token, expiredAt };
}

function answer(path, body) {
  if (path === "/token") return ["C21", issueToken(body)];
  const [iface, required] = interfaces[path];
  checkToken(body);
  requireStrings(body, [...required, "sequenceNo"]);
  checkSequenceNo(body.sequenceNo);
  for (const name of ["deviceType", "bindKey"]) optionalString(body, name);
  return [iface, answers[iface](body)];
}

const SECRETS = new Set(["access_token", "cloudKey", "bindKey"]);
const masked = (body) =>
  body && typeof body === "object" && !Array.isArray(body)
    ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRETS.has(k) ? "***" : v]))
    : body;

// 7.1.2: HTTPS, two-way certificates: a client without a certificate from --ca is refused in the handshake.
const server = createServer(
  {
    ca: readPem("ca"),
    cert: readPem("cert"),
    key: readPem("key"),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: "TLSv1.2",
  },
  (req, res) => {
    const path = new URL(req.url ?? "/", "https://peer").pathname;
    const send = (status, json) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(json));
    };
    if (path !== "/token" && !Object.hasOwn(interfaces, path)) {
      say("request", { path, status: 404 });
      return send(404, { code: BAD_PARAMETER, desc: `no interface at ${path}` });
    }
    if (req.method !== "POST") {
      say("request", { path, status: 405 });
      return send(405, { code: BAD_PARAMETER, desc: `${path} takes POST (got ${req.method})` });
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const iface = path === "/token" ? "C21" : interfaces[path][0];
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
      } catch (error) {
        const desc = `body: a JSON object (${error.message})`;
        say("request", { interface: iface, path, body: null, code: BAD_PARAMETER, desc });
        return send(200, { code: BAD_PARAMETER, desc });
      }
      try {
        const [, fields] = answer(path, body);
        say("request", { interface: iface, path, body: masked(body), code: OK });
        send(200, { code: OK, desc: "success", ...fields });
      } catch (error) {
        const code = error instanceof Refusal ? error.code : 9999;
        say("request", { interface: iface, path, body: masked(body), code, desc: error.message });
        send(200, { code, desc: error.message });
      }
    });
  },
);

// A refused handshake never reaches the request handler: a TCP connection that closes without becoming a secure
// one is printed as refused, with OpenSSL's reason when Node reports one.
const secured = new Set();
const tlsErrors = new Map();
const keyOf = (socket) => `${socket.remoteAddress}:${socket.remotePort}`;
server.on("secureConnection", (socket) => secured.add(keyOf(socket)));
server.on("tlsClientError", (error, socket) => tlsErrors.set(keyOf(socket), error.code ?? error.message));
server.on("connection", (raw) => {
  const key = keyOf(raw);
  raw.once("close", () => {
    if (!secured.delete(key)) {
      say("tls-refused", {
        remote: key,
        reason: tlsErrors.get(key) ?? "handshake ended: no trusted client certificate",
      });
    }
    tlsErrors.delete(key);
  });
});
server.on("error", (error) => usage(`listen on ${args.host}:${port}: ${error.message}`));
server.listen(port, args.host, () => {
  const { port: bound } = server.address();
  say("ready", { port: bound, url: `https://${args.host}:${bound}`, devices: [...devices.keys()] });
});
