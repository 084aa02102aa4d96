import { accessClauses } from "./lock-api-access-clauses.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { deliveryClauses } from "./lock-api-delivery-clauses.ts";
import { logClauses } from "./lock-api-log-clauses.ts";
import { offlineClauses } from "./lock-api-offline-clauses.ts";
import { passwordClauses } from "./lock-api-password-clauses.ts";
import { refusalClauses } from "./lock-api-refusal-clauses.ts";
import { remoteClauses } from "./lock-api-remote-clauses.ts";
import { restClauses } from "./lock-api-rest-clauses.ts";
import { tokenClauses } from "./lock-api-token-clauses.ts";
import { unlockClauses } from "./lock-api-unlock-clauses.ts";
import { userClauses } from "./lock-api-user-clauses.ts";

/**
 * The suite for a smart-lock open API under test (`002_c2fdad2378ea765c.txt`), seen from a caller's side: a client
 * written from harness/protocol/lock-api alone (signing.ts, password-crypto.ts, the catalogue's `response` schemas),
 * run against hilfarm's own lock API or anyone's. Clauses are `L<group>.<n>`; a group is a file of clauses.
 *
 * To add a group: write `lock-api-<area>-clauses.ts` exporting its clauses numbered `L10.1`, `L10.2`, ..., each
 * naming the catalogue endpoints it calls, and append it to `lockApiGroups`. Clauses run in order; a group may rely on
 * the run state of lock-api-client.ts (`runOf`: the token, shared passwords) but makes what it needs itself. Every
 * catalogue endpoint is called by at least one clause (lock-api-coverage.test.ts).
 */

export interface LockClauseGroup {
  /** `L1`, `L2`, ... */
  group: string;
  title: string;
  clauses: readonly LockClause[];
}

export const lockApiGroups: readonly LockClauseGroup[] = [
  { group: "L1", title: "tokens and signing", clauses: tokenClauses },
  { group: "L2", title: "password tickets and temporary passwords", clauses: passwordClauses },
  { group: "L3", title: "delivery to the locks", clauses: deliveryClauses },
  { group: "L4", title: "open and alarm logs", clauses: logClauses },
  { group: "L5", title: "refusals", clauses: refusalClauses },
  { group: "L6", title: "offline and dynamic passwords", clauses: offlineClauses },
  {
    group: "L7",
    title: "users, roles, unlocking methods and records",
    clauses: [...userClauses, ...unlockClauses, ...accessClauses],
  },
  { group: "L8", title: "remote unlocking and media", clauses: remoteClauses },
  { group: "L9", title: "the rest of the catalogue", clauses: restClauses },
];

export const lockApiClauses: readonly LockClause[] = lockApiGroups.flatMap((g) => g.clauses);

/** The clauses of group or clause `only` (`L2` is L2.1-L2.11, not L20; `L2.1` is not L2.10); all without one. */
export function lockApiClausesOf(only?: string): LockClause[] {
  return lockApiClauses.filter(
    (c) => only === undefined || c.clause === only || c.clause.startsWith(`${only}.`),
  );
}
