import type { Logger } from "pino";
import { z } from "zod";
import { showValue, UsageError } from "../../../harness/errors.ts";
import { DEFAULT_LAN_KEY_LIVE_TIME_S, isLanRand, lanKeyFor } from "../../../harness/protocol/md/lan-key.ts";
import { PlatformError } from "../errors.ts";
import type { PlatformOptions } from "../platform-options.ts";
import type { Registry } from "../registry/index.ts";
import { parseBody } from "./body.ts";
import type { RouteSet } from "./http-api.ts";

/** Bounds of `lanKeyLiveTimeS` (`--lan-key-live-time`): a second to a day. */
export const LAN_KEY_LIVE_TIME_RANGE = { min: 1, max: 86_400 } as const;

const LanKeyBody = z.object({ rand: z.unknown().optional() });

/** Refuses a `lanKeyLiveTimeS` that is not a whole number of seconds in range. */
export function checkLanKeyLiveTime({ lanKeyLiveTimeS }: PlatformOptions): void {
  if (lanKeyLiveTimeS === undefined) return;
  const { min, max } = LAN_KEY_LIVE_TIME_RANGE;
  if (!Number.isInteger(lanKeyLiveTimeS) || lanKeyLiveTimeS < min || lanKeyLiveTimeS > max) {
    throw new UsageError(
      "lanKeyLiveTimeS",
      `lanKeyLiveTimeS must be an integer in ${min}..${max} seconds, got ${showValue(lanKeyLiveTimeS)}`,
    );
  }
}

/**
 * `POST /api/devices/:id/lan-key` `{rand}`: the platform's part of the Md auth (6.2.2). The app sends the 16-digit
 * `rand` it will give the device; the platform answers the lanKey computed with that device's PIN, and its `liveTime`.
 * A sub-device has no LAN side of its own: 404 `NO_LAN_SIDE`.
 */
export function lanRoutes(
  registry: Registry,
  logger: Logger,
  bodyLimit: number,
  liveTimeS?: number,
): RouteSet {
  const liveTime = liveTimeS ?? DEFAULT_LAN_KEY_LIVE_TIME_S;
  return (app) => {
    app.post("/api/devices/:id/lan-key", async (c) => {
      const { rand } = await parseBody(c, bodyLimit, LanKeyBody);
      if (!isLanRand(rand)) {
        const got = rand === undefined ? "nothing" : showValue(rand);
        throw new PlatformError("BAD_REQUEST", `rand: must be a string of 16 ASCII digits (got ${got})`);
      }
      const id = c.req.param("id");
      const device = registry.get(id);
      if (device === undefined)
        throw new PlatformError("UNKNOWN_DEVICE", `no device ${showValue(id)} in the registry`);
      if (device.parentId !== undefined) {
        return c.json(
          {
            error: "NO_LAN_SIDE",
            detail:
              `device ${showValue(id)} is a sub-device of gateway ${showValue(device.parentId)}: it has no LAN ` +
              "side of its own; ask for its gateway's lanKey",
          },
          404,
        );
      }
      // 6.2.2: lanKey = AES(rand, PIN). Neither the key nor the PIN goes to the log.
      const lanKey = lanKeyFor(rand, device.pin);
      logger.debug({ deviceId: id, liveTime }, "Md lanKey issued");
      return c.json({ lanKey, liveTime });
    });
  };
}
