import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { request } from "node:http";
import { connect } from "node:net";
import { dirname } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { UsageError } from "../../harness/errors.ts";
import { ScriptedDevice } from "../device/scripted-device.ts";
import { requestFrameLength } from "./operations.ts";
import { isLoopback, type Platform } from "./platform.ts";
import { PLUG, startTestPlatform } from "./testing/fixtures.ts";

const MiB = 1024 * 1024;
/** Platforms and devices of the test under way, closed after it (the last opened first). */
const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function setup(options: Parameters<typeof startTestPlatform>[1] = {}) {
  const p = await startTestPlatform(new VirtualClock(), options);
  opened.push(p);
  return p;
}

/** The plug, logged in and connected over TCP. */
async function onlinePlug(p: Platform) {
  const plug = new ScriptedDevice(PLUG.deviceId, PLUG.pin);
  opened.push(plug);
  await plug.login(p.addresses.login).then(() => plug.connect("tcp"));
  return plug;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { error?: string; detail?: string } & Record<string, unknown>;
}

/**
 * One request over node:http whose body is `size` bytes made on the fly (64 KiB at a time, waiting for the socket to
 * drain): the client holds no more than a chunk, so the process's memory shows what the server keeps. With
 * `declareLength` the body has a Content-Length, else it is chunked. Writing stops once the answer arrives.
 */
function send(
  url: string,
  method: string,
  size: number,
  options: { declareLength?: boolean; headers?: Record<string, string>; byte?: (i: number) => number } = {},
): Promise<Answer & { md5Sent: string }> {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = options.byte?.(i) ?? i % 251;
  const md5 = createHash("md5");
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      url,
      {
        method,
        agent: false, // a connection of its own: one whose body was cut short is not used again
        headers: {
          ...options.headers,
          // Chunked said explicitly: node:http does not frame a DELETE body by default.
          ...(options.declareLength === true
            ? { "content-length": String(size) }
            : { "transfer-encoding": "chunked" }),
        },
      },
      (res) => {
        answered = true;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
        });
        res.on("end", () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: text.startsWith("{") ? JSON.parse(text) : {},
            md5Sent: md5.digest("hex"),
          });
        });
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    let sent = 0;
    const write = () => {
      while (sent < size && !answered) {
        const n = Math.min(chunk.length, size - sent);
        const part = n === chunk.length ? chunk : chunk.subarray(0, n);
        md5.update(part);
        sent += n;
        if (!req.write(part)) {
          req.once("drain", write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

async function api(
  p: Platform,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${p.addresses.http}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: (text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text) as Record<string, unknown>,
  };
}

const metric = async (p: Platform, line: RegExp) => (await p.metrics.text()).match(line)?.[1];

describe("request bodies are bounded (maxHttpBodyBytes, default 1 MiB)", () => {
  it("refuses a declared length over the limit with 413 naming it, before reading the body", async () => {
    const p = await setup();
    const answer = await send(`${p.addresses.http}/api/devices/${PLUG.deviceId}/control`, "POST", 2 * MiB, {
      declareLength: true,
    });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({
      error: "BODY_TOO_LARGE",
      detail: "request body over the 1,048,576-byte limit (maxHttpBodyBytes)",
    });
    expect(await metric(p, /^hilfarm_platform_http_refused_total\{reason="body_too_large"\} (\d+)$/m)).toBe(
      "1",
    );
  });

  it("refuses a chunked body as soon as it passes the limit, on every route that takes one", async () => {
    const p = await setup({ limits: { maxHttpBodyBytes: 4096 } });
    for (const path of ["control", "query", "resources", "constraints", "upgrade", "lan-key"]) {
      const answer = await send(
        `${p.addresses.http}/api/devices/${PLUG.deviceId}/${path}`,
        "POST",
        256 * 1024,
      );
      expect(answer.status, path).toBe(413);
      expect(answer.json.detail).toBe("request body over the 4,096-byte limit (maxHttpBodyBytes)");
    }
    const unbind = await send(`${p.addresses.http}/api/devices/gw/subdevices/x`, "DELETE", 256 * 1024);
    expect(unbind.json).toMatchObject({ error: "BODY_TOO_LARGE" });
    // The platform still serves.
    expect((await api(p, "GET", "/api/devices")).status).toBe(200);
  });

  it("refuses JSON nested past the limit with 400 naming it, never 500", async () => {
    const p = await setup();
    const deep = `{"cmd":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    for (const route of ["control", "lan-key"]) {
      const answer = await api(p, "POST", `/api/devices/${PLUG.deviceId}/${route}`, deep);
      expect(answer.status, route).toBe(400);
      expect(answer.json, route).toMatchObject({
        error: "TOO_DEEP",
        detail: expect.stringMatching(/nested deeper than 32/),
      });
    }
    const proto = await api(
      p,
      "POST",
      `/api/devices/${PLUG.deviceId}/constraints`,
      '{"__proto__":{"a":"1"}}',
    );
    expect(proto.status).toBe(400);
  });
});

describe("a request whose frame would pass the frame limit is not sent (maxFrameLength)", () => {
  it("refuses the issue's 60,000-character cmdParam with 400 naming the field; the device gets nothing", async () => {
    const p = await setup();
    await onlinePlug(p);
    const sent: number[] = [];
    p.events.on("frame", ({ direction, message }) => {
      if (direction === "out") sent.push(message.code);
    });
    const answer = await api(p, "POST", `/api/devices/${PLUG.deviceId}/control`, {
      cmd: [{ cmdName: "POWER", cmdParam: "x".repeat(60_000) }],
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe("FRAME_TOO_LONG");
    expect(answer.json.detail).toMatch(
      /^cmd\.0\.cmdParam: the 2005 frame would be \d{2},\d{3} bytes, over the 65,536-byte frame limit \(maxFrameLength\)$/,
    );
    expect(sent).not.toContain(2005);
    expect(p.sessionOf(PLUG.deviceId)).toBeDefined();
  });

  it("sends the longest body that fits, and refuses one character more: the measure is the real frame's", async () => {
    const limit = 2048;
    const p = await setup({ maxFrameLength: limit });
    const plug = await onlinePlug(p);
    const body = (n: number) => ({
      deviceId: PLUG.deviceId,
      serialId: "0",
      cmd: [{ cmdName: "POWER", cmdParam: "y".repeat(n) }],
    });
    let longest = 0;
    while (requestFrameLength(2005, body(longest + 1)) <= limit) longest++;
    const frames: Buffer[] = [];
    p.events.on("frame", ({ direction, message, raw }) => {
      if (direction === "out" && message.code === 2005 && raw !== undefined) frames.push(Buffer.from(raw));
    });
    const control = api(p, "POST", `/api/devices/${PLUG.deviceId}/control`, {
      cmd: [{ cmdName: "POWER", cmdParam: "y".repeat(longest) }],
    });
    const order = await plug.next(2005);
    // A refusal (result 1): the API then answers at once, without waiting for a state report.
    plug.respond(order, 2004, { result: 1, deviceId: PLUG.deviceId, dscp: "", time: 1 });
    expect((await control).status).toBe(200);
    const line = frames[0]?.toString().replace(/\r\n$/, "") ?? "";
    expect(line.length).toBeLessThanOrEqual(limit);
    expect(line.length).toBeGreaterThan(limit - 64);

    const over = await api(p, "POST", `/api/devices/${PLUG.deviceId}/control`, {
      cmd: [{ cmdName: "POWER", cmdParam: "y".repeat(longest + 1) }],
    });
    expect(over.status).toBe(400);
    expect(over.json.detail).toMatch(
      /^cmd\.0\.cmdParam: .*over the 2,048-byte frame limit \(maxFrameLength\)$/,
    );
    const upgrade = await api(p, "POST", `/api/devices/${PLUG.deviceId}/upgrade`, {
      version: "2",
      url: `http://example.invalid/${"u".repeat(4000)}`,
      md5: "0".repeat(32),
    });
    expect(upgrade.json).toMatchObject({ error: "FRAME_TOO_LONG", detail: expect.stringMatching(/^url: /) });
  });
});

describe("firmware uploads are bounded and kept out of memory", () => {
  it("streams uploads to disk: 5 x 8 MiB leave the process's memory flat, and come back intact", async () => {
    const p = await setup();
    const base = p.addresses.http;
    await send(`${base}/api/firmware/warm-up.bin`, "PUT", MiB); // first-use allocations out of the measure
    // Chunks read from the socket are garbage once written; collected after each upload, what is left is what the
    // platform keeps (without this, 30 MiB of garbage can wait for a collection and make RSS meaningless).
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const collect = async () => {
      gc();
      await new Promise(setImmediate); // buffers' memory is released by a task after the collection
      gc();
    };
    await collect();
    const before = process.memoryUsage();
    const md5s: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await send(`${base}/api/firmware/image-${i}.bin`, "PUT", 8 * MiB, {
        byte: (b) => (b * (i + 3)) % 256,
      });
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({ name: `image-${i}.bin`, md5: answer.md5Sent, size: 8 * MiB });
      md5s.push(answer.md5Sent);
      await collect();
    }
    const after = process.memoryUsage();
    const growth = after.rss - before.rss;
    expect(growth, `RSS grew by ${(growth / MiB).toFixed(1)} MiB for 40 MiB uploaded`).toBeLessThan(24 * MiB);
    // Held in buffers: an in-memory store would hold all 40 MiB here.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(4 * MiB);

    const download = await fetch(`${base}/firmware/image-3.bin`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-length")).toBe(String(8 * MiB));
    const md5 = createHash("md5");
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) md5.update(chunk);
    expect(md5.digest("hex")).toBe(md5s[3]);
    expect(download.headers.get("content-md5")).toBe(md5s[3]);
    const head = await fetch(`${base}/firmware/image-3.bin`, { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe(String(8 * MiB));
  });

  it("refuses a file over maxFirmwareBytes with 413 and leaves nothing behind (the old file of that name stays)", async () => {
    const p = await setup({ limits: { maxFirmwareBytes: MiB } });
    const base = p.addresses.http;
    expect((await send(`${base}/api/firmware/keep.bin`, "PUT", 1000)).status).toBe(201);
    const kept = p.firmware.get("keep.bin");
    const dir = dirname(kept?.path ?? "");

    for (const declareLength of [true, false]) {
      for (const name of ["new.bin", "keep.bin"]) {
        const answer = await send(`${base}/api/firmware/${name}`, "PUT", 3 * MiB, { declareLength });
        expect(answer.status).toBe(413);
        expect(answer.json).toMatchObject({
          error: "BODY_TOO_LARGE",
          detail: expect.stringMatching(/over the 1,048,576-byte limit \(maxFirmwareBytes\)$/),
        });
      }
    }
    expect(p.firmware.list().map((f) => f.name)).toEqual(["keep.bin"]);
    expect(p.firmware.get("keep.bin")).toEqual(kept);
    expect(await readdir(dir)).toHaveLength(1);
    // Exactly the limit is accepted.
    expect((await send(`${base}/api/firmware/full.bin`, "PUT", MiB)).status).toBe(201);
  });

  it("holds at most maxFirmwareFiles: a new name over it is 409, replacing a name is not, and DELETE frees one", async () => {
    const p = await setup({ limits: { maxFirmwareFiles: 2 } });
    const base = p.addresses.http;
    for (const name of ["a.bin", "b.bin", "a.bin"])
      expect((await send(`${base}/api/firmware/${name}`, "PUT", 10)).status).toBe(201);
    const third = await send(`${base}/api/firmware/c.bin`, "PUT", 10);
    expect(third.status).toBe(409);
    expect(third.json).toMatchObject({
      error: "TOO_MANY_FIRMWARE_FILES",
      detail: expect.stringMatching(/2 firmware files, the limit \(maxFirmwareFiles 2\)/),
    });
    expect((await api(p, "DELETE", "/api/firmware/b.bin")).json).toEqual({ deleted: "b.bin" });
    expect((await api(p, "DELETE", "/api/firmware/b.bin")).status).toBe(404);
    expect((await send(`${base}/api/firmware/c.bin`, "PUT", 10)).status).toBe(201);
    expect(
      p.firmware
        .list()
        .map((f) => f.name)
        .sort(),
    ).toEqual(["a.bin", "c.bin"]);
  });

  it("takes only safe file names: 400 naming the field", async () => {
    const p = await setup();
    // ("..", "." and "" never reach the route: URL resolution turns them into another path.)
    expect(() => p.firmware.put("..", Buffer.from("x"))).toThrow(
      /^name: a firmware name must be a file name/,
    );
    for (const name of ["a%2Fb.bin", "a..b", "nul%00.bin", "x".repeat(129), "back%5Cslash"]) {
      const answer = await send(`${p.addresses.http}/api/firmware/${name}`, "PUT", 10);
      expect(answer.status, name).toBe(400);
      expect(answer.json.detail, name).toMatch(/^name: a firmware name /);
    }
    expect((await send(`${p.addresses.http}/api/firmware/${"x".repeat(128)}`, "PUT", 10)).status).toBe(201);
  });

  it("leaves nothing behind when the client goes away mid-upload", async () => {
    const p = await setup();
    p.firmware.put("keep.bin", Buffer.from("kept"));
    const dir = dirname(p.firmware.get("keep.bin")?.path ?? "");
    const putStream = p.firmware.putStream.bind(p.firmware);
    // Wrapped: resolving with the promise itself would wait for it to settle.
    const upload = new Promise<{ stored: Promise<unknown> }>((resolve) => {
      vi.spyOn(p.firmware, "putStream").mockImplementation((name, source) => {
        const stored = putStream(name, source);
        resolve({ stored });
        return stored;
      });
    });
    const req = request(`${p.addresses.http}/api/firmware/cut.bin`, { method: "PUT", agent: false });
    req.on("error", () => undefined);
    req.write(Buffer.alloc(256 * 1024));
    const { stored } = await upload;
    req.destroy();
    await expect(stored).rejects.toThrow();
    expect(p.firmware.list().map((f) => f.name)).toEqual(["keep.bin"]);
    expect(await readdir(dir)).toHaveLength(1);
    expect(await metric(p, /^hilfarm_platform_http_errors_total\{status="500"\} (\d+)$/m)).toBeUndefined();
  });

  it("takes one upload of a name at a time: a second one while the first is under way is 409 FIRMWARE_BUSY", async () => {
    const p = await setup();
    const started = new Promise<void>((resolve) => {
      const putStream = p.firmware.putStream.bind(p.firmware);
      vi.spyOn(p.firmware, "putStream").mockImplementationOnce((name, source) => {
        const stored = putStream(name, source);
        resolve();
        return stored;
      });
    });
    const first = request(`${p.addresses.http}/api/firmware/same.bin`, { method: "PUT", agent: false });
    first.on("error", () => undefined);
    first.write(Buffer.alloc(64 * 1024));
    await started;
    const second = await send(`${p.addresses.http}/api/firmware/same.bin`, "PUT", 1024);
    expect(second.status).toBe(409);
    expect(second.json.error).toBe("FIRMWARE_BUSY");
    first.destroy();
  });

  it("removes its temporary directory when the platform closes", async () => {
    const p = await setup();
    p.firmware.put("scenario.bin", Buffer.from("image"));
    const dir = dirname(p.firmware.get("scenario.bin")?.path ?? "");
    expect(existsSync(dir)).toBe(true);
    await p.close(); // (closing again after the test is harmless)
    expect(existsSync(dir)).toBe(false);
  });
});

describe("methods and routes", () => {
  it("answers a wrong method on a known path with 405 and Allow; an unknown path stays 404", async () => {
    const p = await setup();
    const control = await api(p, "GET", "/api/devices/x/control");
    expect(control.status).toBe(405);
    expect(control.headers.get("allow")).toBe("POST");
    expect(control.json).toEqual({
      error: "METHOD_NOT_ALLOWED",
      detail: "GET is not allowed on /api/devices/x/control; use POST",
    });
    const list = await api(p, "DELETE", "/api/devices");
    expect(list.status).toBe(405);
    expect(list.headers.get("allow")).toBe("GET, HEAD");
    expect((await api(p, "POST", "/firmware/x.bin")).status).toBe(405);
    expect((await api(p, "GET", "/api/nothing")).status).toBe(404);
    expect(
      await metric(p, /^hilfarm_platform_http_refused_total\{reason="method_not_allowed"\} (\d+)$/m),
    ).toBe("3");
  });

  it("answers a handler's unexpected failure with 500 and no details, logs it and counts it", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => void lines.push(line) });
    const p = await setup({ logger });
    vi.spyOn(p.operations, "query").mockRejectedValue(new Error("secret internals at /srv/x.ts:12"));
    const answer = await api(p, "POST", `/api/devices/${PLUG.deviceId}/query`);
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe("INTERNAL");
    expect(JSON.stringify(answer.json)).not.toMatch(/secret internals|\.ts:/);
    expect(lines.join("")).toMatch(/northbound API error.*|secret internals/);
    expect(await metric(p, /^hilfarm_platform_http_errors_total\{status="500"\} (\d+)$/m)).toBe("1");
  });
});

describe("connections to the API are bounded", () => {
  it("one address holds at most maxHttpPerAddress connections; another address is still served", async () => {
    const p = await setup({ limits: { maxHttpPerAddress: 5 } });
    const { hostname, port } = new URL(p.addresses.http);
    let closed = 0;
    const threeClosed = new Promise<void>((resolve) => {
      for (let i = 0; i < 8; i++) {
        const socket = connect({ host: hostname, port: Number(port) });
        socket.on("error", () => undefined);
        socket.on("close", () => {
          if (++closed === 3) resolve();
        });
        opened.push({ close: () => socket.destroy() });
      }
    });
    await threeClosed;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${p.addresses.http}/api/devices`,
        { localAddress: "127.0.0.2", agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(closed).toBe(3);
    expect(
      await metric(p, /^hilfarm_platform_http_refused_total\{reason="connections_per_address"\} (\d+)$/m),
    ).toBe("3");
  });
});

describe("the API can be protected (apiToken, httpHost)", () => {
  it("requires the bearer token on /api/* and /metrics; /firmware/* stays open for devices", async () => {
    const p = await setup({ apiToken: "s3cret-token" });
    p.firmware.put("open.bin", Buffer.from("image"));
    for (const path of ["/api/devices", "/metrics", "/api/nothing", "/api/firmware"]) {
      const missing = await api(p, "GET", path);
      expect(missing.status, path).toBe(401);
      expect(missing.json.error).toBe("UNAUTHORIZED");
      expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const wrong = await api(p, "GET", path, undefined, { authorization: "Bearer s3cret-tokeN" });
      expect(wrong.status, path).toBe(401);
      expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer .*invalid_token/);
    }
    const auth = { authorization: "Bearer s3cret-token" };
    expect((await api(p, "GET", "/api/devices", undefined, auth)).status).toBe(200);
    expect(
      (await api(p, "GET", "/metrics", undefined, { authorization: "bearer s3cret-token" })).status,
    ).toBe(200);
    expect(
      (await api(p, "GET", "/api/devices", undefined, { authorization: "Basic s3cret-token" })).status,
    ).toBe(401);
    const download = await fetch(`${p.addresses.http}/firmware/open.bin`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("image");
    // Authentication comes first: without the token, a wrong method does not reveal the route.
    expect((await api(p, "DELETE", "/api/devices")).status).toBe(401);
    expect(await metric(p, /^hilfarm_platform_http_refused_total\{reason="unauthorized"\} (\d+)$/m)).toBe(
      "10",
    );
  });

  it("refuses to start with the API beyond loopback and no token, naming --http-host and --api-token", async () => {
    const refused = await setup({ httpHost: "0.0.0.0" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as Error).message).toMatch(/--http-host.*--api-token/);
    const p = await setup({ httpHost: "0.0.0.0", apiToken: "t0ken" });
    expect(p.addresses.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await api(p, "GET", "/api/devices", undefined, { authorization: "Bearer t0ken" })).status).toBe(
      200,
    );
  });

  it("says at start whether the API needs a token, never the token", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    await setup({ logger, apiToken: "never-logged-token" });
    const ready = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.apiAuth !== undefined);
    expect(ready).toMatchObject({ apiAuth: "bearer", msg: expect.stringMatching(/Bearer/) });
    expect(lines.join("")).not.toContain("never-logged-token");
  });

  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.0.2.10", false],
    ["128.0.0.1", false],
    ["localhost.example.com", false],
  ])("isLoopback(%s) is %s", (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});
