import { request } from "node:http";
import { signPush } from "../../../harness/protocol/aqara/index.ts";

/** What a sender got back. */
export interface PushReply {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface TestPush {
  time: number | string;
  nonce: string;
  /** Signing on: `appkey` and `sign` headers (the sign computed from the secret unless `sign` is given). */
  signing?: { appKey: string; appSecret: string; sign?: string };
  /** The body: an object is sent as JSON, a string or bytes as they are. */
  body: unknown;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
}

/** One push as the seed's sender makes it, written from the protocol module: a connection of its own. */
export function sendPush(url: string, push: TestPush): Promise<PushReply> {
  const time = String(push.time);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    time,
    nonce: push.nonce,
    ...(push.signing === undefined
      ? {}
      : {
          appkey: push.signing.appKey,
          sign:
            push.signing.sign ??
            signPush({ appkey: push.signing.appKey, nonce: push.nonce, time }, push.signing.appSecret),
        }),
    ...push.headers,
  };
  const body =
    typeof push.body === "string" || Buffer.isBuffer(push.body)
      ? Buffer.from(push.body as string | Buffer)
      : Buffer.from(JSON.stringify(push.body), "utf8");
  const target = new URL(push.path ?? "", url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        agent: false,
        method: push.method ?? "POST",
        headers: { ...headers, "content-length": String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            headers: res.headers,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
