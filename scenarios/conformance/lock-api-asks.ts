import type { LockEndpointId } from "../../harness/protocol/lock-api/endpoints.ts";
import { pause } from "./c-probe.ts";
import { expectThat } from "./clause.ts";
import { call, expectResult, type LockRequest } from "./lock-api-client.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/** What the clauses of L6-L9 share: one call whose success the catalogue's `response` takes, and a caller's poll. */

type Params = Readonly<Record<string, string | number>>;
type Rest = Omit<LockRequest, "method" | "path">;

/** Endpoint `id` called with `params` (and a query or body): its result, checked against the catalogue's schema. */
export async function served<T = Record<string, unknown>>(
  target: LockApiTarget,
  id: LockEndpointId,
  params: Params,
  rest: Rest = {},
  what = `${id} of ${String(params.device_id ?? params.uid ?? "")}`,
): Promise<T> {
  return expectResult(await call(target, id, params, rest), id, what) as T;
}

/** An action the seed answers with `result` true (or, where the seed leaves it out, none): not false. */
export async function done(
  target: LockApiTarget,
  id: LockEndpointId,
  params: Params,
  rest: Rest = {},
  what = `${id} of ${String(params.device_id ?? "")}`,
): Promise<void> {
  const result = await served<unknown>(target, id, params, rest, what);
  expectThat(result !== false, `result true for ${what}`, `result ${JSON.stringify(result)}`);
}

/** How long the suite waits for a lock to take an order (enrollment, duress flag): the delivery poll's 25 s. */
export const ORDER_POLL_MS = 25_000;

/** `read` every second until `ok` holds of it or 25 s have passed on the target's time: the last reading. */
export async function pollUntil<T>(
  target: LockApiTarget,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
): Promise<T> {
  const start = target.clock.now();
  for (;;) {
    const value = await read();
    if (ok(value) || target.clock.now() - start >= ORDER_POLL_MS) return value;
    await pause(target, 1_000);
  }
}

/** Now on the target's time, in seconds. */
export const nowS = (target: LockApiTarget) => Math.floor(target.clock.now() / 1000);
