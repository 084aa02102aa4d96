import type { ClauseCheck } from "./clause.ts";
import { deliveryClauses } from "./lock-api-delivery-clauses.ts";
import { logClauses } from "./lock-api-log-clauses.ts";
import { passwordClauses } from "./lock-api-password-clauses.ts";
import { refusalClauses } from "./lock-api-refusal-clauses.ts";
import type { LockApiTarget } from "./lock-api-target.ts";
import { tokenClauses } from "./lock-api-token-clauses.ts";

/**
 * The suite for a smart-lock open API under test (`002_c2fdad2378ea765c.txt`), seen from a caller's side: a client
 * written from harness/protocol/lock-api alone (signing.ts, password-crypto.ts, the catalogue's `response` schemas),
 * run against hilfarm's own lock API or anyone's. Clauses are `L<group>.<n>`; a group is a file of clauses.
 *
 * To add a group (L6 offline passwords, L7 users, ...): write `lock-api-<area>-clauses.ts` exporting its clauses
 * numbered `L6.1`, `L6.2`, ..., and append it to `lockApiGroups`. Clauses run in order; a group may rely on the run
 * state of lock-api-client.ts (`runOf`: the token, shared passwords) but makes what it needs itself.
 */

export interface LockClauseGroup {
  /** `L1`, `L2`, ... */
  group: string;
  title: string;
  clauses: readonly ClauseCheck<LockApiTarget>[];
}

export const lockApiGroups: readonly LockClauseGroup[] = [
  { group: "L1", title: "tokens and signing", clauses: tokenClauses },
  { group: "L2", title: "password tickets and temporary passwords", clauses: passwordClauses },
  { group: "L3", title: "delivery to the locks", clauses: deliveryClauses },
  { group: "L4", title: "open and alarm logs", clauses: logClauses },
  { group: "L5", title: "refusals", clauses: refusalClauses },
];

export const lockApiClauses: readonly ClauseCheck<LockApiTarget>[] = lockApiGroups.flatMap((g) => g.clauses);

/** The clauses of group or clause `only` (`L2` is L2.1-L2.11, not L20; `L2.1` is not L2.10); all without one. */
export function lockApiClausesOf(only?: string): ClauseCheck<LockApiTarget>[] {
  return lockApiClauses.filter(
    (c) => only === undefined || c.clause === only || c.clause.startsWith(`${only}.`),
  );
}
