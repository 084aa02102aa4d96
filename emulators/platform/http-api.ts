import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "pino";
import { z } from "zod";
import { showValue } from "../../harness/errors.ts";
import { ResourceSerials } from "../../harness/protocol/ct/schemas/common.ts";
import { httpStatusOf, PlatformError } from "./errors.ts";
import type { FirmwareStore } from "./firmware.ts";
import type { PlatformMetrics } from "./metrics.ts";
import type { PlatformOperations } from "./operations.ts";
import type { DeviceRecord, StateStore } from "./state-store.ts";

export interface HttpApiOptions {
  operations: PlatformOperations;
  store: StateStore;
  metrics: PlatformMetrics;
  firmware: FirmwareStore;
  logger: Logger;
}

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

async function parseBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  let json: unknown = {};
  const text = await request.text();
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      throw new PlatformError("BAD_REQUEST", `request body is not JSON: ${showValue(text)}`);
    }
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

/** The northbound API an app backend uses (HTTP + JSON), the firmware file server, and `/metrics`. */
export function createHttpApi({ operations, store, metrics, firmware, logger }: HttpApiOptions): Server {
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof PlatformError) {
      return c.json({ error: error.code, detail: error.message }, httpStatusOf[error.code]);
    }
    logger.error({ err: error }, "northbound API error");
    return c.json({ error: "INTERNAL", detail: error.message }, 500);
  });
  app.notFound((c) => c.json({ error: "NOT_FOUND", detail: `no route ${c.req.method} ${c.req.path}` }, 404));

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
    c.json(await operations.control(c.req.param("id"), await parseBody(c.req.raw, ControlBody))),
  );
  app.post("/api/devices/:id/query", async (c) => c.json(await operations.query(c.req.param("id"))));
  app.post("/api/devices/:id/resources", async (c) => {
    const body = await parseBody(c.req.raw, ResourcesBody);
    return c.json(await operations.manageResources(c.req.param("id"), body.resourceSerials));
  });
  app.post("/api/devices/:id/constraints", async (c) => {
    const body = await parseBody(c.req.raw, ConstraintsBody);
    return c.json(await operations.constrain(c.req.param("id"), body.asc));
  });
  app.post("/api/devices/:id/upgrade", async (c) => {
    const { version, firmware: file, url, md5, module } = await parseBody(c.req.raw, UpgradeBody);
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
  app.delete("/api/devices/:gw/subdevices/:id", async (c) =>
    c.json(await operations.unbind(c.req.param("gw"), c.req.param("id"))),
  );

  app.get("/api/firmware", (c) => c.json(firmware.list()));
  app.put("/api/firmware/:name", async (c) => {
    const file = firmware.put(c.req.param("name"), Buffer.from(await c.req.arrayBuffer()));
    return c.json({ name: file.name, md5: file.md5, size: file.bytes.length }, 201);
  });
  app.get("/firmware/:name", (c) => {
    const file = firmware.get(c.req.param("name"));
    if (file === undefined)
      throw new PlatformError(
        "UNKNOWN_FIRMWARE",
        `no firmware file named ${JSON.stringify(c.req.param("name"))}`,
      );
    return c.body(new Uint8Array(file.bytes), 200, {
      "content-type": "application/octet-stream",
      "content-md5": file.md5,
    });
  });

  app.get("/metrics", async (c) =>
    c.text(await metrics.text(), 200, { "content-type": metrics.registry.contentType }),
  );

  return createAdaptorServer({ fetch: app.fetch }) as Server;
}
