import { z } from "zod";
import type { ThirdPartyOperations } from "../c-interop/third-party-operations.ts";
import { PlatformError } from "../errors.ts";
import { parseBody, readBody } from "./body.ts";
import type { RouteSet } from "./http-api.ts";

const Text = z.string().min(1);
const BindBody = z.object({ deviceSN: Text, deviceType: Text.optional(), bindKey: Text.optional() });
const SubBindBody = z.object({ deviceSN: Text, deviceType: Text.optional() });

const defined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };

/**
 * `/api/third-party/*`: what the app asks of devices behind the third-party platform that has no equivalent on an Mc
 * device (7.2 step 3): binds and unbinds (C22-C25), the online query (C26), a gateway's sub-devices (C29, C30).
 * Controls, queries, resources and sub-device unbinds of such a device go through the usual `/api/devices/*` routes.
 */
export function thirdPartyRoutes(
  thirdParty: () => ThirdPartyOperations | undefined,
  bodyLimit: number,
): RouteSet {
  const operations = () => {
    const ops = thirdParty();
    if (ops === undefined)
      throw new PlatformError(
        "NO_THIRD_PARTY",
        "this platform has no third-party platform to call (start it with --third-party-url)",
      );
    return ops;
  };
  return (app) => {
    app.post("/api/third-party/devices", async (c) => {
      const body = defined(await parseBody(c, bodyLimit, BindBody));
      return c.json(await operations().bind(body));
    });
    app.delete("/api/third-party/devices/:sn", async (c) => {
      await readBody(c, bodyLimit);
      return c.json(await operations().unbind(c.req.param("sn")));
    });
    app.get("/api/third-party/devices/:sn/online", async (c) =>
      c.json(await operations().online(c.req.param("sn"))),
    );
    app.post("/api/third-party/gateways/:gw/subdevices", async (c) => {
      const body = defined(await parseBody(c, bodyLimit, SubBindBody));
      return c.json(await operations().bindSubDevice(c.req.param("gw"), body));
    });
    app.get("/api/third-party/gateways/:gw/subdevices", async (c) => {
      const detail = c.req.query("detail");
      return c.json(await operations().subDevices(c.req.param("gw"), detail === "1" || detail === "true"));
    });
  };
}
