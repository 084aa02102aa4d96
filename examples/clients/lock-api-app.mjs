#!/usr/bin/env node
// An app's backend on the smart-lock open API (002_c2fdad2378ea765c.txt), written from the seed and the project's
// readings of what it leaves open (docs/protocol-readings.md, "Smart-lock open API": signing and tokens as the
// vendor's cloud does them, the ticket key under the client secret) alone, in plain JavaScript with nothing but
// Node's standard library. It imports nothing from hilfarm, so it checks hilfarm's lock API independently: its own
// signing, its own ticket-key decryption and password encryption.
//
//   HILFARM_LOCK_API_SECRET=<32 chars> node examples/clients/lock-api-app.mjs --url http://127.0.0.1:8790 \
//        --client-id ID --device LOCK_ID --digits 1234567 [--timeout-ms 25000]
//
// Takes a token, a password ticket, creates a temporary password valid for an hour, polls it until the lock took it
// (or refused it), reads the lock's information and an offline password (v1.1). One JSON line per step on stdout.
// Exit codes: 0 the password reached the lock, 1 any failure, 2 usage error.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const usage = (cause) => {
  console.error(`lock-api-app: ${cause}`);
  process.exit(2);
};
const say = (event, detail = {}) => process.stdout.write(`${JSON.stringify({ event, ...detail })}\n`);
const fail = (step, detail) => {
  say("failed", { step, ...detail });
  process.exit(1);
};

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      url: { type: "string" },
      "client-id": { type: "string" },
      device: { type: "string" },
      digits: { type: "string" },
      "timeout-ms": { type: "string", default: "25000" },
    },
  }));
} catch (error) {
  usage(error.message);
}
for (const name of ["url", "client-id", "device", "digits"]) if (!args[name]) usage(`--${name} is required`);
const secret = process.env.HILFARM_LOCK_API_SECRET ?? "";
if (Buffer.byteLength(secret) !== 32)
  usage("HILFARM_LOCK_API_SECRET must be the client's 32-character secret");
if (!/^\d{6,7}$/.test(args.digits))
  usage("--digits must be 6 or 7 digits (seed: 7 for Wi-Fi locks, 6 for Zigbee)");
const timeoutMs = Number(args["timeout-ms"]);
if (!Number.isInteger(timeoutMs) || timeoutMs < 1) usage("--timeout-ms must be a whole number, at least 1");
const base = args.url.replace(/\/+$/, "");
const clientId = args["client-id"];
const device = encodeURIComponent(args.device);

// Signing: sign = upper(hex(HMAC-SHA256(secret, client_id + access_token + t + nonce + stringToSign))), where
// stringToSign = METHOD \n sha256hex(body) \n (signed headers: none) \n path?sorted-query. Token calls carry no token.
function headersFor(method, target, body, token) {
  const t = String(Date.now());
  const nonce = randomUUID();
  const [path, query = ""] = target.split("?");
  const sorted = query
    .split("&")
    .filter((pair) => pair !== "")
    .sort()
    .join("&");
  const url = sorted === "" ? path : `${path}?${sorted}`;
  const contentHash = createHash("sha256").update(body).digest("hex");
  const stringToSign = `${method}\n${contentHash}\n\n${url}`;
  const sign = createHmac("sha256", secret)
    .update(`${clientId}${token ?? ""}${t}${nonce}${stringToSign}`)
    .digest("hex")
    .toUpperCase();
  return {
    client_id: clientId,
    t,
    nonce,
    sign_method: "HMAC-SHA256",
    sign,
    ...(token === undefined ? {} : { access_token: token }),
    "content-type": "application/json",
  };
}

/** One call: the envelope (every answer is HTTP 200; a failure has `success` false, `code` and `msg`). */
async function call(method, target, bodyValue, token) {
  const body = bodyValue === undefined ? "" : JSON.stringify(bodyValue);
  const response = await fetch(`${base}${target}`, {
    method,
    headers: headersFor(method, target, body, token),
    ...(body === "" ? {} : { body }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200) fail(target, { status: response.status, text: text.slice(0, 300) });
  let envelope;
  try {
    envelope = JSON.parse(text);
  } catch {
    fail(target, { reason: "the answer is not JSON", text: text.slice(0, 300) });
  }
  if (typeof envelope.success !== "boolean" || typeof envelope.t !== "number")
    fail(target, { reason: "the answer lacks success or t", text: text.slice(0, 300) });
  return envelope;
}

const expectSuccess = (step, envelope) => {
  if (!envelope.success) fail(step, { code: envelope.code, msg: envelope.msg });
  return envelope.result;
};

// Seed, "Get a temporary key": ticket_key decrypted with AES under the client's secret (AES-256-ECB, hex); the
// password encrypted AES-128-ECB, PKCS7, under that key, written as hex.
const decryptTicketKey = (hex) => {
  const decipher = createDecipheriv("aes-256-ecb", Buffer.from(secret, "utf8"), null);
  return Buffer.concat([decipher.update(Buffer.from(hex, "hex")), decipher.final()]).toString("utf8");
};
const encryptPassword = (digits, key) => {
  const cipher = createCipheriv("aes-128-ecb", Buffer.from(key, "utf8"), null);
  return Buffer.concat([cipher.update(digits, "utf8"), cipher.final()])
    .toString("hex")
    .toUpperCase();
};

const granted = expectSuccess("token", await call("GET", "/v1.0/token?grant_type=1", undefined, undefined));
for (const field of ["access_token", "refresh_token", "uid"])
  if (typeof granted[field] !== "string" || granted[field] === "") fail("token", { reason: `no ${field}` });
if (!Number.isInteger(granted.expire_time) || granted.expire_time <= 0)
  fail("token", { reason: "no expire_time" });
const token = granted.access_token;
say("token", { expireTime: granted.expire_time });

const ticket = expectSuccess(
  "ticket",
  await call("POST", `/v1.0/devices/${device}/door-lock/password-ticket`, {}, token),
);
const key = decryptTicketKey(ticket.ticket_key);
if (Buffer.byteLength(key) !== 16)
  fail("ticket", { reason: `the ticket key is ${Buffer.byteLength(key)} bytes, not 16` });
say("ticket", { expireTime: ticket.expire_time });

const nowS = Math.floor(Date.now() / 1000);
const created = expectSuccess(
  "create",
  await call(
    "POST",
    `/v1.0/devices/${device}/door-lock/temp-password`,
    {
      name: "peer",
      password: encryptPassword(args.digits, key),
      password_type: "ticket",
      ticket_id: ticket.ticket_id,
      effective_time: nowS - 60,
      invalid_time: nowS + 3600,
      type: 0,
    },
    token,
  ),
);
if (!Number.isInteger(created.id)) fail("create", { reason: "no id" });
say("created", { id: created.id });

// Seed: the caller polls the password until it is no longer being configured (delivery_status 1).
const started = Date.now();
let got;
for (;;) {
  got = expectSuccess(
    "poll",
    await call("GET", `/v1.0/devices/${device}/door-lock/temp-password/${created.id}`, undefined, token),
  );
  if (got.delivery_status !== 1 || Date.now() - started > timeoutMs) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
say("delivery", { deliveryStatus: got.delivery_status, phase: got.phase, ms: Date.now() - started });
if (got.delivery_status !== 2) fail("delivery", { deliveryStatus: got.delivery_status });

const info = expectSuccess("device", await call("GET", `/v1.0/devices/${device}`, undefined, token));
if (typeof info.local_key !== "string" || info.local_key === "") fail("device", { reason: "no local_key" });
say("device", { id: info.id, online: info.online });

const offline = expectSuccess(
  "offline",
  await call(
    "POST",
    `/v1.1/devices/${device}/door-lock/offline-temp-password`,
    { type: "once", name: "peer" },
    token,
  ),
);
if (!/^\d+$/.test(offline.offline_temp_password ?? ""))
  fail("offline", { reason: "no offline_temp_password digits" });
say("offline", { digits: offline.offline_temp_password.length });
say("done");
