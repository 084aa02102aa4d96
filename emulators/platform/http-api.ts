import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { Readable } from "node:stream";
import { createAdaptorServer, type HttpBindings } from "@hono/node-server";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { Logger } from "pino";
import { z } from "zod";
import { showValue } from "../../harness/errors.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import { ResourceSerials } from "../../harness/protocol/mc/schemas/common.ts";
import { httpStatusOf, PlatformError, type PlatformErrorCode } from "./errors.ts";
import type { FirmwareStore } from "./firmware.ts";
import type { PlatformLimits } from "./limits.ts";
import type { PlatformMetrics } from "./metrics.ts";
import type { PlatformOperations } from "./operations.ts";
import type { DeviceRecord, StateStore } from "./state-store.ts";

export interface HttpApiOptions {
  operations: PlatformOperations;
  store: StateStore;
  metrics: PlatformMetrics;
  firmware: FirmwareStore;
  logger: Logger;
  limits: Pick<
    PlatformLimits,
    "maxHttpConnections" | "maxHttpPerAddress" | "maxHttpBodyBytes" | "maxFirmwareBytes"
  >;
  /** When set, `/api/*` and `/metrics` need `Authorization: Bearer <apiToken>`; `/firmware/*` stays open. */
  apiToken?: string;
}

type Env = { Bindings: Partial<HttpBindings> };

const ControlBody = z.object({
  serialId: z.string().default("0"),
  cmd: z.array(z.object({ cmdName: z.string().min(1), cmdParam: z.string() })).min(1),
});
const ResourcesBody = z.object({ resourceSerials: ResourceSerials });
const ConstraintsBody = z.object({ asc: z.record(z.string(), z.enum(["0", "1"])) });
const UpgradeBody = z.object({
  version: z.string().min(1),
  firmware: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  md5: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, "expected 32 hex digits")
    .optional(),
  module: z.string().min(1).optional(),
});

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

const summary = (r: DeviceRecord) => ({
  deviceId: r.deviceId,
  model: r.model ?? null,
  online: r.online,
  parentId: r.parentId ?? null,
  transport: r.transport ?? null,
  lastSeen: iso(r.lastSeen),
});

/** The request body as it arrives, read from the socket (never buffered whole by the server). */
function bodyChunks(c: Context<Env>): AsyncIterable<Uint8Array> {
  const incoming = c.env?.incoming;
  // Not destroyed when the reader stops early: the server then answers (413) and drains or closes the rest.
  if (incoming !== undefined) return incoming.iterator({ destroyOnReturn: false });
  return (c.req.raw.body as AsyncIterable<Uint8Array> | null) ?? noChunks();
}

async function* noChunks(): AsyncGenerator<Uint8Array> {}

const tooLarge = (limit: number, name: string) =>
  new PlatformError(
    "BODY_TOO_LARGE",
    `request body over the ${limit.toLocaleString("en")}-byte limit (${name})`,
  );

/** The whole body, refused (413) as soon as it passes `limit` bytes. */
async function readBody(c: Context<Env>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(c)) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit, "maxHttpBodyBytes");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function parseBody<T>(c: Context<Env>, limit: number, schema: z.ZodType<T>): Promise<T> {
  let json: unknown = {};
  const text = (await readBody(c, limit)).toString("utf8");
  if (text.trim() !== "") {
    const parsed = parseJsonSafely(text);
    if (!parsed.ok && parsed.tooDeep === true)
      throw new PlatformError("TOO_DEEP", `body: ${parsed.reason} (the JSON nesting limit, MAX_JSON_DEPTH)`);
    if (!parsed.ok) throw new PlatformError("BAD_REQUEST", `request body is not JSON: ${showValue(text)}`);
    json = parsed.value;
  }
  const parsed = schema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    const got = issue && "input" in issue ? ` (got ${showValue(issue.input)})` : "";
    throw new PlatformError("BAD_REQUEST", `${field}: ${issue?.message ?? "invalid"}${got}`);
  }
  return parsed.data;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Refusals counted in `hilfarm_platform_http_refused_total{reason}`: the request's size, shape or credentials. */
const REFUSALS = new Set<PlatformErrorCode>([
  "UNAUTHORIZED",
  "METHOD_NOT_ALLOWED",
  "BODY_TOO_LARGE",
  "TOO_MANY_FIRMWARE_FILES",
  "FIRMWARE_BUSY",
  "FRAME_TOO_LONG",
  "TOO_DEEP",
]);

/** The northbound API an app backend uses (HTTP + JSON), the firmware file server, and `/metrics`. */
export function createHttpApi(options: HttpApiOptions): Server {
  const { operations, store, metrics, firmware, logger, limits } = options;
  const app = new Hono<Env>();
  const bodyLimit = limits.maxHttpBodyBytes;

  const refusal = (
    c: Context<Env>,
    code: PlatformErrorCode,
    detail: string,
    headers?: Record<string, string>,
  ) => {
    if (REFUSALS.has(code)) metrics.httpRefused.inc({ reason: code.toLowerCase() });
    return c.json({ error: code, detail }, httpStatusOf[code], headers);
  };

  app.onError((error, c) => {
    if (error instanceof PlatformError) return refusal(c, error.code, error.message);
    const incoming = c.env?.incoming;
    if (incoming !== undefined && (incoming.readableAborted || incoming.errored !== null)) {
      // The client went away mid-request (an upload cut short): nobody reads this answer, and it is no platform fault.
      logger.debug({ method: c.req.method, path: c.req.path, err: error }, "API client gone mid-request");
      return c.json({ error: "BAD_REQUEST", detail: "the request was cut short" }, 400);
    }
    metrics.httpErrors.inc({ status: "500" });
    metrics.handlerErrors.inc({ surface: "http" });
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "northbound API error");
    // The stack and message stay in the log: they describe the platform, not the request.
    return c.json(
      { error: "INTERNAL", detail: "the platform failed on this request; its log says why" },
      500,
    );
  });
  app.notFound((c) => c.json({ error: "NOT_FOUND", detail: `no route ${c.req.method} ${c.req.path}` }, 404));

  if (options.apiToken !== undefined) {
    // Both sides hashed first: timingSafeEqual needs equal lengths, and the length of the token must not leak either.
    const expected = sha256(options.apiToken);
    const requireToken: MiddlewareHandler<Env> = async (c, next) => {
      const given = /^Bearer +(\S+) *$/i.exec(c.req.header("authorization") ?? "")?.[1];
      if (given !== undefined && timingSafeEqual(sha256(given), expected)) return next();
      return refusal(
        c,
        "UNAUTHORIZED",
        given === undefined
          ? "this API needs an Authorization: Bearer <token> header (the platform's --api-token)"
          : "the bearer token is not the platform's --api-token",
        {
          "WWW-Authenticate":
            given === undefined ? 'Bearer realm="hilfarm"' : 'Bearer realm="hilfarm", error="invalid_token"',
        },
      );
    };
    app.use("/api/*", requireToken);
    app.use("/metrics", requireToken);
  }
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        refusal(
          c,
          "METHOD_NOT_ALLOWED",
          `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(", ")}`,
          {
            Allow: methods.join(", "),
          },
        ),
    }),
  );
  // A declared length over the limit is refused before a byte of the body is read; a body without one (chunked) is
  // counted as it is read by the route.
  app.use(async (c, next) => {
    const upload = c.req.method === "PUT" && c.req.path.startsWith("/api/firmware/");
    const [limit, name] = upload
      ? [limits.maxFirmwareBytes, "maxFirmwareBytes"]
      : [bodyLimit, "maxHttpBodyBytes"];
    if (Number(c.req.header("content-length") ?? 0) > limit) throw tooLarge(limit, name);
    return next();
  });

  const device = (id: string) => {
    const record = store.get(id);
    if (record === undefined)
      throw new PlatformError("UNKNOWN_DEVICE", `no device ${JSON.stringify(id)} in the registry`);
    return record;
  };

  app.get("/api/devices", (c) => c.json(store.all().map(summary)));
  app.get("/api/devices/:id", (c) => {
    const r = device(c.req.param("id"));
    return c.json({
      ...summary(r),
      status: r.status,
      resources: r.resources,
      version: r.version,
      constraints: r.constraints,
      unbound: r.unbound,
    });
  });
  app.get("/api/devices/:id/events", (c) => {
    const r = device(c.req.param("id"));
    const kind = c.req.query("kind");
    return c.json(
      r.events
        .filter((e) => kind === undefined || e.kind === kind)
        .map((e) => ({ kind: e.kind, time: iso(e.receivedAt), ...e.body })),
    );
  });
  app.post("/api/devices/:id/control", async (c) =>
    c.json(await operations.control(c.req.param("id"), await parseBody(c, bodyLimit, ControlBody))),
  );
  app.post("/api/devices/:id/query", async (c) => {
    await readBody(c, bodyLimit);
    return c.json(await operations.query(c.req.param("id")));
  });
  app.post("/api/devices/:id/resources", async (c) => {
    const body = await parseBody(c, bodyLimit, ResourcesBody);
    return c.json(await operations.manageResources(c.req.param("id"), body.resourceSerials));
  });
  app.post("/api/devices/:id/constraints", async (c) => {
    const body = await parseBody(c, bodyLimit, ConstraintsBody);
    return c.json(await operations.constrain(c.req.param("id"), body.asc));
  });
  app.post("/api/devices/:id/upgrade", async (c) => {
    const { version, firmware: file, url, md5, module } = await parseBody(c, bodyLimit, UpgradeBody);
    return c.json(
      await operations.upgrade(c.req.param("id"), {
        version,
        ...(file === undefined ? {} : { firmware: file }),
        ...(url === undefined ? {} : { url }),
        ...(md5 === undefined ? {} : { md5: md5.toLowerCase() }),
        ...(module === undefined ? {} : { module }),
      }),
    );
  });
  app.delete("/api/devices/:gw/subdevices/:id", async (c) => {
    await readBody(c, bodyLimit);
    return c.json(await operations.unbind(c.req.param("gw"), c.req.param("id")));
  });

  app.get("/api/firmware", (c) => c.json(firmware.list()));
  app.put("/api/firmware/:name", async (c) => {
    const file = await firmware.putStream(c.req.param("name"), bodyChunks(c));
    return c.json({ name: file.name, md5: file.md5, size: file.size }, 201);
  });
  app.delete("/api/firmware/:name", async (c) => {
    const name = c.req.param("name");
    if (!(await firmware.delete(name)))
      throw new PlatformError("UNKNOWN_FIRMWARE", `no firmware file named ${JSON.stringify(name)}`);
    return c.json({ deleted: name });
  });
  // Open to anyone who can reach the port, token or not: devices fetch the URL of a 2025 and cannot send a token.
  app.get("/firmware/:name", async (c) => {
    const name = c.req.param("name");
    const opened = await firmware.open(name);
    if (opened === undefined)
      throw new PlatformError("UNKNOWN_FIRMWARE", `no firmware file named ${JSON.stringify(name)}`);
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(opened.file.size),
      "content-md5": opened.file.md5,
    };
    if (c.req.method === "HEAD") {
      opened.stream.destroy();
      return c.body(null, 200, headers);
    }
    return c.body(Readable.toWeb(opened.stream) as ReadableStream<Uint8Array>, 200, headers);
  });

  app.get("/metrics", async (c) =>
    c.text(await metrics.text(), 200, { "content-type": metrics.registry.contentType }),
  );

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.maxConnections = limits.maxHttpConnections;
  server.on("drop", () => metrics.httpRefused.inc({ reason: "connections" }));
  // A connection must send its request head within 10 s (Node's default is 60 s), and one address holds at most
  // `maxHttpPerAddress` of them: idle connections from one place cannot take every place from the others.
  server.headersTimeout = 10_000;
  const perAddress = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const held = perAddress.get(address) ?? 0;
    if (held >= limits.maxHttpPerAddress) {
      metrics.httpRefused.inc({ reason: "connections_per_address" });
      socket.destroy();
      return;
    }
    perAddress.set(address, held + 1);
    socket.once("close", () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
  return server;
}
