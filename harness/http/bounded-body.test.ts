import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { readBoundedBody } from "./bounded-body.ts";

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server that answers what `readBoundedBody` made of the body: its length, or "too-large". */
async function start(limit: number): Promise<number> {
  const server = createServer((req, res) => {
    void readBoundedBody(req, limit).then((body) =>
      res.end(body === "too-large" ? body : String(body.length)),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function post(port: number, chunks: Buffer[], headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString();
      });
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("readBoundedBody", () => {
  it("gives the whole body up to the limit, and too-large past it, declared or counted", async () => {
    const port = await start(1000);
    expect(await post(port, [Buffer.alloc(1000)])).toBe("1000");
    expect(await post(port, [Buffer.alloc(0)])).toBe("0");
    expect(await post(port, [Buffer.alloc(1001)])).toBe("too-large");
    // Chunked, without a content-length: counted as it arrives.
    expect(await post(port, [Buffer.alloc(600), Buffer.alloc(600)], { "transfer-encoding": "chunked" })).toBe(
      "too-large",
    );
    expect(await post(port, [Buffer.alloc(500), Buffer.alloc(500)], { "transfer-encoding": "chunked" })).toBe(
      "1000",
    );
  });

  it("ends a body that does not arrive within the deadline, on the clock, and closes its connection", async () => {
    const clock = new VirtualClock();
    let reading: Promise<Buffer | "too-large" | "too-slow"> | undefined;
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = createServer((req, res) => {
      reading = readBoundedBody(req, 1000, { clock, ms: 30_000 });
      void reading.then(() => res.end());
      started();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const req = request({ port, host: "127.0.0.1", method: "POST", headers: { "content-length": "100" } });
    const closed = new Promise<void>((resolve) => req.on("close", resolve));
    req.on("error", () => undefined);
    // Ten of the hundred bytes announced: the server waits for the rest.
    req.write(Buffer.alloc(10));
    await handlerStarted;
    clock.advance(29_999);
    clock.advance(1);
    expect(await reading).toBe("too-slow");
    await closed;
    expect(req.destroyed).toBe(true);
  });
});
