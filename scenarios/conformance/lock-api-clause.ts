import type { LockEndpointId } from "../../harness/protocol/lock-api/endpoints.ts";
import type { ClauseCheck } from "./clause.ts";
import type { LockApiTarget } from "./lock-api-target.ts";

/**
 * A clause of the lock-API suite: a check, and the catalogue endpoints it calls (the coverage test compares their
 * union with the catalogue, so that every endpoint is exercised by at least one clause).
 */
export interface LockClause extends ClauseCheck<LockApiTarget> {
  readonly endpoints: readonly LockEndpointId[];
}
