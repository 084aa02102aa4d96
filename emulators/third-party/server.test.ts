import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { MAX_BODY_BYTES, thirdPartyListener } from "./server.ts";

// The listener alone, on plain HTTP: what it does with a failure and a large body (TLS is not the point here).
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function listen(answer: () => Record<string, unknown>): Promise<string> {
  const deps = {
    clock: new VirtualClock(),
    logger: pino({ level: "silent" }),
    held: new Set<{ cancel(): void }>(),
  };
  server = createServer(thirdPartyListener({ ...deps, answer, holdMs: () => 0 }));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the C21-C31 listener", () => {
  it("answers 9999 with HTTP 200 when the state machine fails (7.3.2.12: system failure)", async () => {
    const url = await listen(() => {
      throw new Error("internal");
    });
    const res = await fetch(`${url}/device/bind`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 9999, desc: "system failure" });
  });

  it("refuses a body over 1 MiB with 413 before it is parsed", async () => {
    let asked = 0;
    const url = await listen(() => {
      asked++;
      return { code: 0 };
    });
    const res = await fetch(`${url}/device/control`, {
      method: "POST",
      body: "x".repeat(MAX_BODY_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect(asked).toBe(0);
  });
});
