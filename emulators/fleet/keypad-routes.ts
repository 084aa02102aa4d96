import { z } from "zod";
import { parseBody } from "../platform/api/body.ts";
import type { RouteSet } from "../platform/api/http-api.ts";
import { PlatformError } from "../platform/errors.ts";
import type { Fleet } from "./fleet.ts";

const KeypadBody = z.object({ code: z.string().regex(/^\d{1,16}$/, "expected 1-16 digits") });

/**
 * `POST /api/fleet/devices/:id/keypad` `{code}`: a code typed at an emulated lock's keypad, in a process that runs
 * the fleet beside the platform (`hilfarm up`). Answers what the lock did; the lock reports it to the platform as
 * it would (2006, 2032, 2028). `fleet()` is the fleet once it runs (it starts after the platform): before, 503.
 */
export function keypadRoutes(fleet: () => Fleet | undefined, bodyLimit: number): RouteSet {
  return (app) => {
    app.post("/api/fleet/devices/:id/keypad", async (c) => {
      const { code } = await parseBody(c, bodyLimit, KeypadBody);
      const running = fleet();
      if (running === undefined) throw new PlatformError("NO_FLEET", "the fleet has not started yet");
      const id = c.req.param("id");
      if (running.carrierOf(id) === undefined)
        throw new PlatformError("UNKNOWN_DEVICE", `no device ${JSON.stringify(id)} in the fleet`);
      try {
        return c.json(await running.typeCode(id, code));
      } catch (error) {
        throw new PlatformError("BAD_REQUEST", error instanceof Error ? error.message : String(error));
      }
    });
  };
}
