#!/usr/bin/env node
// The third-party-platform side of the platform-to-platform interface (C, chapter 7: C11-C18), written from the
// specification and the project's readings of it (protocol-decisions.md section 10) alone, in plain JavaScript
// with nothing but Node's standard library. It imports nothing from hilfarm, so it checks hilfarm's smart-home
// platform independently.
//
//   node examples/clients/c-third-party.mjs --url https://127.0.0.1:8443 --ca ca.pem [--cert client.pem
//        --key client-key.pem] --platform-id ID --platform-key KEY [--device TP-1] [--gateway GW-1] [--only-token]
//
// Prints one JSON line per call on stdout. Exit codes: 0 success, 1 failure, 2 usage error.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { parseArgs } from "node:util";

const usage = (cause) => {
  console.error(`c-third-party: ${cause}`);
  process.exit(2);
};
const say = (event, detail = {}) => process.stdout.write(`${JSON.stringify({ event, ...detail })}\n`);

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      url: { type: "string" },
      ca: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      "platform-id": { type: "string" },
      "platform-key": { type: "string" },
      device: { type: "string", default: "TP-1" },
      "device-type": { type: "string", default: "TP-SENSOR-01" },
      gateway: { type: "string", default: "GW-1" },
      "gateway-type": { type: "string", default: "TP-GATEWAY-01" },
      "only-token": { type: "boolean", default: false },
      "timeout-ms": { type: "string", default: "10000" },
    },
  }));
} catch (error) {
  usage(error.message);
}
for (const name of ["url", "ca", "platform-id", "platform-key"])
  if (!args[name]) usage(`--${name} is required`);
if (Boolean(args.cert) !== Boolean(args.key)) usage("--cert and --key go together");
let base;
try {
  base = new URL(args.url);
} catch {
  usage("--url must be an https URL");
}
if (base.protocol !== "https:") usage("--url must be an https URL");
const timeoutMs = Number(args["timeout-ms"]);
if (!Number.isInteger(timeoutMs) || timeoutMs < 1) usage("--timeout-ms must be a whole number, at least 1");
const readPem = (option) => {
  try {
    return readFileSync(args[option]);
  } catch (error) {
    return usage(`--${option}: ${error.message}`);
  }
};
// 7.1.2, 7.1.4: HTTPS with certificates both ways; the server must chain to --ca, we present --cert.
const tls = {
  ca: readPem("ca"),
  ...(args.cert ? { cert: readPem("cert"), key: readPem("key") } : {}),
  minVersion: "TLSv1.2",
  rejectUnauthorized: true,
};

// 7.1.3: Date is YYYYMMDD, DateTime YYYYMMDDHHMMSS. The spec names no clock; a Chinese platform's is read as
// China Standard Time (UTC+8, no daylight saving).
const dateTime = (at = Date.now()) =>
  new Date(at + 8 * 3600_000).toISOString().replace(/\D/g, "").slice(0, 14);
const date = (at = Date.now()) => dateTime(at).slice(0, 8);
// 7.3.1.1: sequenceNo, recommended YYYYMMDDHHMMSSxxxx with xxxx a random number.
const sequenceNo = () => `${dateTime()}${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;

// Every interface is a POST of a JSON body to https://{domain}<path>, answered with a JSON body (7.1.2, 7.3).
const TLS_CODES = /SSL|TLS|CERT|EPROTO|ECONNRESET|EPIPE|HANDSHAKE|ALERT/i;
function post(path, body) {
  return new Promise((resolve) => {
    const payload = Buffer.from(JSON.stringify(body), "utf8");
    let secured = false;
    const req = request(
      new URL(path, base),
      {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", "content-length": payload.length },
        agent: false,
        timeout: timeoutMs,
        ...tls,
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", (error) => resolve({ failure: "transport", reason: error.message }));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode, answer: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode, failure: "not-json", reason: text.slice(0, 200) });
          }
        });
      },
    );
    req.on("socket", (socket) => socket.once("secureConnect", () => (secured = true)));
    req.on("timeout", () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
    );
    req.on("error", (error) => {
      const tlsFailure = !secured || TLS_CODES.test(`${error.code ?? ""} ${error.message}`);
      const refusedTcp = ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT"].includes(error.code);
      resolve({
        failure: tlsFailure && !refusedTcp ? "tls" : "transport",
        reason: error.code ?? error.message,
      });
    });
    req.end(payload);
  });
}

let failed = false;
const judge = (iface, path, outcome) => {
  const where = { interface: iface, path };
  if (outcome.failure === "tls") {
    say("tls-refused", { ...where, reason: outcome.reason });
    return null;
  }
  if (outcome.failure) {
    say("error", { ...where, status: outcome.status, reason: outcome.failure, detail: outcome.reason });
    return null;
  }
  const { status, answer } = outcome;
  const code = answer?.code;
  if (status !== 200 || !Number.isInteger(code) || code !== 0) {
    const reason = !Number.isInteger(code)
      ? "no integer code"
      : code !== 0
        ? "non-zero code"
        : `HTTP ${status}`;
    say("error", { ...where, status, code, desc: answer?.desc, reason });
    return null;
  }
  return answer;
};

async function run() {
  // C11 (7.3.1.1): the token, with the ID and key exchanged offline.
  const tokenPath = "/notify/token";
  const outcome = await post(tokenPath, {
    platformId: args["platform-id"],
    platformKey: args["platform-key"],
    sequenceNo: sequenceNo(),
  });
  if (outcome.failure) {
    judge("C11", tokenPath, outcome);
    return 1;
  }
  say("token", {
    code: outcome.answer?.code,
    desc: outcome.answer?.desc,
    expiredAt: outcome.answer?.expiredAt,
  });
  const granted = judge("C11", tokenPath, outcome);
  if (!granted) return 1;
  const token = granted.access_token;
  if (typeof token !== "string" || token === "" || !Number.isInteger(granted.expiredAt)) {
    say("error", {
      interface: "C11",
      path: tokenPath,
      reason: "access_token or expiredAt missing or mistyped",
    });
    return 1;
  }
  if (args["only-token"]) return 0;

  const gateway = { deviceSN: args.gateway, deviceType: args["gateway-type"] };
  const device = { deviceSN: args.device, deviceType: args["device-type"] };
  const now = Date.now();
  const calls = [
    // C15 (7.3.1.5): online is the string "1" (online) or "0" (offline).
    ["C15", "/notify/device/online", { ...gateway, online: "1" }],
    ["C15", "/notify/device/online", { ...device, online: "1" }],
    // C13 (7.3.1.3): the device bound under the gateway.
    ["C13", "/notify/device/sub/bind", { gwId: args.gateway, ...device }],
    // C16 (7.3.1.6): status is Array<StatusInfo{serialId, name, value}>, resource Array<ResourceList>; every
    // value a String (a float as a string, 7.1.3).
    [
      "C16",
      "/notify/device/status",
      {
        ...device,
        status: [
          { serialId: "0", name: "temperature", value: "21.5" },
          { serialId: "0", name: "humidity", value: "48.0" },
        ],
        resource: [
          {
            serialId: "0",
            resName: "schedule",
            resInfo: [{ day: date(now), start: "0730", setpoint: "20.5" }],
          },
        ],
      },
    ],
    // C17 (7.3.1.7): resource is Array<ResourceList> whose ResDetail carries mode "1" add, "2" modify, "3" delete.
    [
      "C17",
      "/notify/device/resource",
      {
        ...device,
        resource: [
          {
            serialId: "0",
            resName: "schedule",
            resInfo: [{ mode: "2", day: date(now), start: "0800", setpoint: "21.0" }],
          },
        ],
      },
    ],
    // C18 (7.3.1.8): event is a list of {eventId?, serialId, eventName, eventInfo: Array<EventDetail>}.
    [
      "C18",
      "/notify/device/event",
      {
        ...device,
        event: [
          {
            eventId: "1",
            serialId: "0",
            eventName: "threshold",
            eventInfo: [{ time: dateTime(now), name: "temperature", value: "21.5" }],
          },
        ],
      },
    ],
    // C14 (7.3.1.4): the device unbound from the gateway; C12 (7.3.1.2): the gateway itself unbound.
    ["C14", "/notify/device/sub/unbind", { gwId: args.gateway, ...device }],
    ["C12", "/notify/device/unbind", { ...gateway }],
  ];
  for (const [iface, path, fields] of calls) {
    const result = await post(path, { access_token: token, ...fields, sequenceNo: sequenceNo() });
    const answer = judge(iface, path, result);
    if (answer) say("called", { interface: iface, path, deviceSN: fields.deviceSN, code: answer.code });
    else failed = true;
  }
  return failed ? 1 : 0;
}

run().then(
  (code) => process.exit(code),
  (error) => {
    say("error", { reason: error.message });
    process.exit(1);
  },
);
