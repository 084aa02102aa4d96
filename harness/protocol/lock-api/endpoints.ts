import { deviceUserEndpoints } from "./endpoints/device-users.ts";
import { deviceEndpoints } from "./endpoints/devices.ts";
import { homeUserEndpoints } from "./endpoints/home-users.ts";
import { logEndpoints } from "./endpoints/logs.ts";
import { mediaEndpoints } from "./endpoints/media.ts";
import { offlinePasswordEndpoints } from "./endpoints/offline-passwords.ts";
import { remoteUnlockEndpoints } from "./endpoints/remote-unlock.ts";
import { tempPasswordEndpoints } from "./endpoints/temp-passwords.ts";
import { unlockMethodEndpoints } from "./endpoints/unlock-methods.ts";

/**
 * The smart-lock open API's endpoint catalogue (seed `002_c2fdad2378ea765c.txt`): every endpoint of the "API list"
 * (lines 31-93), as data. Each entry carries its method, path template, the list's one-line description, where the
 * seed lists it (`listLine`) and documents it (`seedLine`, the line of its "API endpoint"), the lock types its section
 * names, and zod schemas for its request (path, query, body) and for the `result` of its success envelope. The
 * entries are written by area in `endpoints/`; this module assembles them in the order of the list.
 *
 * Readings common to every entry:
 * - Parameters are read in snake_case. The seed spells some in camelCase (tables or examples: `lastRowKey`,
 *   `showMediaInfo`, `userId`, `passwordName`, `scheduleDetails`); either spelling of a key is accepted and read as
 *   snake_case. Tables capitalize a first letter (`Name`, `Code`); the examples' lowercase is the key.
 * - Path and query values arrive as text: a Long or Integer there is a string of digits; query numbers and booleans
 *   are turned into numbers and booleans.
 * - Response tables have no "Required" column and the examples leave documented fields out: result fields are
 *   optional unless every example has them, typed when present; a field the seed does not name is kept.
 * - Every object is loose: a field the seed does not name is kept, in requests and in results.
 */

export {
  type LockApiMethod,
  type LockApiVersion,
  type LockEndpoint,
  type LockType,
  lockTypeLabels,
} from "./endpoints/schema.ts";

const byArea = {
  ...tempPasswordEndpoints,
  ...offlinePasswordEndpoints,
  ...deviceUserEndpoints,
  ...homeUserEndpoints,
  ...unlockMethodEndpoints,
  ...logEndpoints,
  ...remoteUnlockEndpoints,
  ...mediaEndpoints,
  ...deviceEndpoints,
} as const;

/** The entries by id, in the order of the seed's list (`listLine`). */
export const lockEndpoints: typeof byArea = Object.fromEntries(
  Object.entries(byArea).sort(([, a], [, b]) => a.listLine - b.listLine),
) as typeof byArea;

export type LockEndpoints = typeof lockEndpoints;
export type LockEndpointId = keyof LockEndpoints;
export const lockEndpointIds = Object.keys(lockEndpoints) as LockEndpointId[];

export function isLockEndpointId(id: unknown): id is LockEndpointId {
  return typeof id === "string" && Object.hasOwn(lockEndpoints, id);
}

// ---- the path matcher ---------------------------------------------------------------------------------------

interface Route {
  id: LockEndpointId;
  segments: readonly string[];
  /** Literal segments count first: a literal beats a parameter where two templates could both match. */
  literals: number;
}
const paramName = (segment: string) => /^\{(\w+)\}$/.exec(segment)?.[1];
const routes: Route[] = lockEndpointIds
  .map((id) => {
    const segments = lockEndpoints[id].path.split("/").slice(1);
    return { id, segments, literals: segments.filter((s) => paramName(s) === undefined).length };
  })
  .sort((a, b) => b.literals - a.literals);

export interface LockEndpointMatch {
  entry: LockEndpoints[LockEndpointId];
  /** The path parameters by name, percent-decoded. */
  params: Record<string, string>;
}

/**
 * The endpoint a request goes to: `method` and the request's path (a query string is ignored), or `undefined`.
 * Total: any strings give a match or `undefined`.
 */
export function matchLockEndpoint(method: string, path: string): LockEndpointMatch | undefined {
  const upper = method.toUpperCase();
  const query = path.indexOf("?");
  const parts = (query < 0 ? path : path.slice(0, query)).split("/");
  if (parts.shift() !== "") return undefined;
  for (const route of routes) {
    const entry = lockEndpoints[route.id];
    if (entry.method !== upper || route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, segment] of route.segments.entries()) {
      const part = parts[i] as string;
      const name = paramName(segment);
      if (name === undefined) ok = part === segment;
      else {
        const value = decodeSegment(part);
        ok = value !== undefined && value !== "";
        if (ok) params[name] = value as string;
      }
      if (!ok) break;
    }
    if (ok) return { entry, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
