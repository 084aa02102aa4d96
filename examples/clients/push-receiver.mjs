#!/usr/bin/env node
// A third party's message-push receiver (000_0e61b4fd1fe27231.txt, "Message Push"), written from the seed and the
// project's readings of what it leaves open (protocol-decisions.md section 11; docs/protocol-readings.md, "Aqara-style
// open API and message push": `time` in milliseconds, the answer `{"code":0,...}`) alone, in plain JavaScript with
// nothing but Node's standard library. It imports nothing from hilfarm, so it checks hilfarm's push sender
// independently.
//
//   HILFARM_PUSH_APP_SECRET=<secret> node examples/clients/push-receiver.mjs --port 0 [--app-key KEY]
//
// Prints {"event":"ready","url":...}, then one line per push: {"event":"push","verified":bool,"reason"?,"token",
// "data"}. Reads commands on stdin, one per line: `abnormal` (answer outside the format from now on), `normal`.
// With --app-key (and the secret in the environment) it checks `appkey` and `sign`; `time` and `nonce` always.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const usage = (cause) => {
  console.error(`push-receiver: ${cause}`);
  process.exit(2);
};
const say = (event, detail = {}) => process.stdout.write(`${JSON.stringify({ event, ...detail })}\n`);

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "app-key": { type: "string" },
    },
  }));
} catch (error) {
  usage(error.message);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) usage("--port must be 0-65535");
const appKey = args["app-key"];
const appSecret = process.env.HILFARM_PUSH_APP_SECRET;
if (appKey !== undefined && !appSecret) usage("--app-key needs HILFARM_PUSH_APP_SECRET");
const TOLERANCE_MS = 5 * 60 * 1000;
const seen = new Map();
let abnormal = false;

// Seed, "Signature rules": appkey, nonce, time sorted and spliced, `&` and the appSecret, lowercased, MD5 (32 hex).
const expectedSign = (appkey, nonce, time) =>
  createHash("md5")
    .update(`appkey=${appkey}&nonce=${nonce}&time=${time}&${appSecret}`.toLowerCase())
    .digest("hex");

function verify(headers) {
  const { time, nonce, appkey, sign } = headers;
  if (!time || !nonce) return "time or nonce missing";
  if (!/^\d+$/.test(time) || Math.abs(Number(time) - Date.now()) > TOLERANCE_MS)
    return `time ${time} out of range`;
  if (appKey !== undefined) {
    if (appkey !== appKey) return `appkey ${appkey}`;
    const expected = Buffer.from(expectedSign(appkey, nonce, time));
    const given = Buffer.from(String(sign ?? "").toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "sign does not match";
  }
  for (const [n, at] of seen) if (Date.now() - at > TOLERANCE_MS) seen.delete(n);
  if (seen.has(nonce)) return `nonce ${nonce} reused`;
  seen.set(nonce, Date.now());
  return undefined;
}

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > 1024 * 1024) req.destroy();
    else chunks.push(chunk);
  });
  req.on("end", () => {
    let reason = req.method === "POST" ? verify(req.headers) : `method ${req.method}`;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      reason ??= "body is not JSON";
    }
    if (reason === undefined && (typeof body?.token !== "string" || typeof body?.data !== "string"))
      reason = "body lacks token or data strings";
    say("push", {
      verified: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
      token: body?.token,
      data: body?.data,
    });
    res.writeHead(200, { "content-type": "application/json" });
    if (abnormal) res.end("not the format");
    else if (reason !== undefined)
      res.end(JSON.stringify({ code: 902, requestId: "", message: reason, msgDetails: null }));
    else res.end(JSON.stringify({ code: 0, requestId: "", message: "Success", msgDetails: null }));
  });
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  if (command === "abnormal" || command === "normal") {
    abnormal = command === "abnormal";
    say("mode", { abnormal });
  }
});
server.listen(port, args.host, () => {
  const address = server.address();
  say("ready", { url: `http://${args.host}:${address.port}/` });
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
