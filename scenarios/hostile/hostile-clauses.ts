import type { ClauseCheck } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import { apiClauses } from "./api.ts";
import { floodClauses } from "./floods.ts";
import { frameClauses } from "./frames.ts";
import { replayClauses } from "./replays.ts";
import type { HostileOptions } from "./support.ts";

export type { HostileOptions } from "./support.ts";

/**
 * The hostile-input suite: each finding of a hostile tester replayed against a platform, seen from the
 * wire and the northbound API only, so it runs against hilfarm's platform (in process, virtual time) or anyone's
 * at tcp://host:port (real time). Clause ids name the finding: H1 one frame (frames.ts), H2 replays (replays.ts),
 * H3 floods (floods.ts), H4 the API (api.ts); what they share is in support.ts, the raw wire in wire.ts.
 */
export function hostileClauses(options: HostileOptions): readonly ClauseCheck<PlatformTarget>[] {
  return [...frameClauses, ...replayClauses(options), ...floodClauses(options), ...apiClauses];
}
