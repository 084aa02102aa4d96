import type { ClauseCheck } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import { apiClauses } from "./api.ts";
import { floodClauses } from "./floods.ts";
import { frameClauses } from "./frames.ts";
import { replayClauses } from "./replays.ts";
import type { HostileOptions } from "./support.ts";

export { type AqaraApiHostileOptions, aqaraApiHostileClauses } from "./aqara-api-clauses.ts";
export { type CNotifyHostileOptions, cNotifyClauses } from "./c-notify-clauses.ts";
export type { CNotifyTarget } from "./c-notify-wire.ts";
export { type CThirdPartyHostileTarget, cThirdPartyClauses } from "./c-third-party-clauses.ts";
export { type LockApiHostileOptions, lockApiHostileClauses } from "./lock-api-clauses.ts";
export { type PushReceiverHostileOptions, pushReceiverHostileClauses } from "./push-receiver-clauses.ts";
export type { HostileOptions } from "./support.ts";

/**
 * The hostile-input suite: each finding of a hostile tester replayed against a platform, seen from the
 * wire and the northbound API only, so it runs against hilfarm's platform (in process, virtual time) or anyone's
 * at tcp://host:port (real time). Clause ids name the finding: H1 one frame (frames.ts), H2 replays (replays.ts),
 * H3 floods (floods.ts), H4 the API (api.ts); what they share is in support.ts, the raw wire in wire.ts. H5, the
 * C11-C18 server of chapter 7 (c-notify-clauses.ts), runs on a smart-home target of its own: `cNotifyClauses`; H6,
 * a third-party platform's C21-C31 server (c-third-party-clauses.ts), on a third-party target: `cThirdPartyClauses`;
 * H7, a smart-lock open API (lock-api-clauses.ts), on a lock-API target: `lockApiHostileClauses`; H8, a message-push
 * receiver (push-receiver-clauses.ts), on a push-receiver target: `pushReceiverHostileClauses`; H9, an Aqara-style
 * open API (aqara-api-clauses.ts), on an open-API target: `aqaraApiHostileClauses`.
 */
export function hostileClauses(options: HostileOptions): readonly ClauseCheck<PlatformTarget>[] {
  return [...frameClauses, ...replayClauses(options), ...floodClauses(options), ...apiClauses];
}
