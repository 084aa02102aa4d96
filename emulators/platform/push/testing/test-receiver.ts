import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../../../harness/clock/clock.ts";
import { PUSH_SUCCESS_ANSWER } from "../../../../harness/protocol/aqara/push-answer.ts";
import { readPushHeaders } from "../../../../harness/protocol/aqara/push-headers.ts";
import { type PushBody, PushBodySchema } from "../../../../harness/protocol/aqara/push-message.ts";

/** How the test receiver answers: the documented answer, HTTP 500, a body out of the format, or never. */
export type ReceiverMode = "ok" | "http-500" | "bad-body" | "silent";

export interface ReceivedPush {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The header check's fault (its code name), or "ok". */
  readonly verdict: string;
  readonly body: PushBody;
  /** `data` read as JSON. */
  readonly data: Record<string, unknown>;
}

/**
 * A receiver for tests, from the seed's rules (harness/protocol/aqara/push-headers.ts): checks each push's headers
 * on `clock` (signature when `signing`), records it, and answers as `mode` says.
 */
export async function startTestReceiver(clock: Clock, signing?: { appKey: string; appSecret: string }) {
  const pushes: ReceivedPush[] = [];
  const nonces = new Set<string>();
  const held: ServerResponse[] = [];
  let mode: ReceiverMode = "ok";
  /** Answers for the next pushes, in order, before `mode` again. */
  const script: ReceiverMode[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const checked = readPushHeaders(req.headers, {
        ...(signing === undefined ? {} : { signing }),
        now: clock.now(),
        nonceSeen: (nonce) => nonces.has(nonce),
      });
      if (checked.ok) nonces.add(checked.value.nonce);
      const body = PushBodySchema.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      pushes.push({
        headers: { ...req.headers },
        verdict: checked.ok ? "ok" : checked.error.code,
        body,
        data: JSON.parse(body.data) as Record<string, unknown>,
      });
      const answer = script.shift() ?? mode;
      if (answer === "silent") held.push(res);
      else if (answer === "http-500") res.writeHead(500).end("broken");
      else if (answer === "bad-body") res.writeHead(200, { "content-type": "text/plain" }).end("OK");
      else
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(PUSH_SUCCESS_ANSWER));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/push`,
    pushes,
    setMode(next: ReceiverMode): void {
      mode = next;
    },
    /** The next pushes answer these, in order. */
    answerNext(...modes: ReceiverMode[]): void {
      script.push(...modes);
    },
    close(): Promise<void> {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
