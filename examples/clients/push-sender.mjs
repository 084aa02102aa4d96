#!/usr/bin/env node
// A cloud's message-push sender (000_0e61b4fd1fe27231.txt, "Message Push"), written from the seed and the project's
// readings of what it leaves open (protocol-decisions.md section 11; docs/protocol-readings.md, "Aqara-style open API
// and message push": `time` in milliseconds, the answer `{"code":0,...}`) alone, in plain JavaScript with nothing but
// Node's standard library. It imports nothing from hilfarm, so it checks hilfarm's push receiver independently.
//
//   HILFARM_PUSH_APP_SECRET=<secret> node examples/clients/push-sender.mjs --url http://127.0.0.1:PORT/ \
//        [--app-key KEY] [--client-id a,b] [--data '{"x":1}'] [--bad-sign] [--repeat-nonce]
//
// Sends one push (two with --repeat-nonce, the second with the first's nonce) and prints one line per answer:
// {"event":"answer","status","code","message","normal"}. `normal` is the seed's test: HTTP 200 and code 0.
// Exit codes: 0 every push was answered (normal or not), 1 no answer, 2 usage error.
import { createHash, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const usage = (cause) => {
  console.error(`push-sender: ${cause}`);
  process.exit(2);
};
const say = (event, detail = {}) => process.stdout.write(`${JSON.stringify({ event, ...detail })}\n`);

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      url: { type: "string" },
      "app-key": { type: "string" },
      "client-id": { type: "string", default: "client-1" },
      data: { type: "string", default: '{"msgType":"peer","value":1}' },
      "bad-sign": { type: "boolean", default: false },
      "repeat-nonce": { type: "boolean", default: false },
    },
  }));
} catch (error) {
  usage(error.message);
}
if (!args.url) usage("--url is required");
const appKey = args["app-key"];
const appSecret = process.env.HILFARM_PUSH_APP_SECRET;
if (appKey !== undefined && !appSecret) usage("--app-key needs HILFARM_PUSH_APP_SECRET");

// Seed, "Signature rules": appkey, nonce, time sorted and spliced, `&` and the appSecret, lowercased, MD5 (32 hex).
const signOf = (nonce, time) =>
  createHash("md5")
    .update(`appkey=${appKey}&nonce=${nonce}&time=${time}&${appSecret}`.toLowerCase())
    .digest("hex");

async function push(nonce) {
  const time = String(Date.now());
  const headers = { "content-type": "application/json", time, nonce };
  if (appKey !== undefined) {
    headers.appkey = appKey;
    headers.sign = args["bad-sign"] ? signOf(nonce, String(Number(time) + 1)) : signOf(nonce, time);
  }
  const body = JSON.stringify({ token: args["client-id"], data: args.data });
  try {
    const response = await fetch(args.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    say("answer", {
      status: response.status,
      code: answer?.code,
      message: answer?.message,
      normal: response.status === 200 && answer?.code === 0,
    });
  } catch (error) {
    say("no-answer", { reason: error.message });
    process.exitCode = 1;
  }
}

const nonce = randomUUID();
await push(nonce);
if (args["repeat-nonce"]) await push(nonce);
