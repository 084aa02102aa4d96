import { z } from "zod";
import { ResourceSerials } from "../../../harness/protocol/mc/schemas/common.ts";
import { PlatformError } from "../errors.ts";
import type { PlatformOperations } from "../operations.ts";
import type { DeviceRecord, StateStore } from "../state-store.ts";
import { parseBody, readBody } from "./body.ts";
import type { RouteSet } from "./http-api.ts";

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
  // Chapter 7: a device behind the third-party platform says so (`via`); an Mc device carries no `via`.
  ...(r.via === "mc" ? {} : { via: r.via }),
});

/** `/api/devices/*`: what the platform holds of each device, and the operations an app backend asks for. */
export function deviceRoutes(operations: PlatformOperations, store: StateStore, bodyLimit: number): RouteSet {
  const device = (id: string) => {
    const record = store.get(id);
    if (record === undefined)
      throw new PlatformError("UNKNOWN_DEVICE", `no device ${JSON.stringify(id)} in the registry`);
    return record;
  };

  return (app) => {
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
  };
}
