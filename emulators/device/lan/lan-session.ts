import type { Result } from "../../../harness/errors.ts";
import { CipherKey } from "../../../harness/protocol/cts/crypto.ts";
import { decodeLanFrame } from "../../../harness/protocol/md/lan-frame.ts";
import { lanKeyMatches } from "../../../harness/protocol/md/lan-key.ts";
import type { AuthRequest, LanMessage, LanResponse } from "../../../harness/protocol/md/messages.ts";
import { type MdResultCode, mdResultCodes } from "../../../harness/protocol/md/result-codes.ts";
import type { Misbehaviour } from "../misbehaviour.ts";
import type { LanAs, LanAsc, LanChange, Ota } from "./lan-attributes.ts";
import { peekMid } from "./lan-peek.ts";

/**
 * One client of a device's LAN control port (6.2.2-6.2.5) as a state machine: frames and time in, messages to send
 * and things to do out. No socket, no timer, no model: the server around it owns those.
 *
 *   awaiting-auth --clear auth, right lanKey--> authenticated --liveTime passed--> closed
 *        |  wrong lanKey, wrong `to`, another command, 10 s without auth                ^
 *        +--------------------------------------------------------------------------------+
 */

/** A client that has not authenticated this long after connecting is closed. */
export const LAN_AUTH_DEADLINE_MS = 10_000;

export type LanCloseReason =
  /** Wrong lanKey, or an auth for another device, or a malformed one. */
  | "auth-refused"
  /** A command other than `auth` before authenticating. */
  | "not-authenticated"
  | "auth-deadline"
  /** `liveTime` passed: the client must connect and authenticate again. */
  | "lan-key-expired"
  /** A frame past the length limit: the stream cannot be cut into frames any more. */
  | "frame-too-long";

export type LanSession =
  | { phase: "awaiting-auth"; deadline: number }
  | { phase: "authenticated"; key: CipherKey; expiresAt: number | undefined }
  | { phase: "closed"; reason: LanCloseReason };

export type LanSessionEvent =
  | { kind: "frame"; line: Uint8Array; now: number }
  /** The framer's error (a frame past the length limit). */
  | { kind: "bad-frame"; code: string; now: number }
  /** A timer the server armed for `sessionDeadline` fired. */
  | { kind: "time"; now: number };

export type LanSessionAction =
  /** `key` undefined: in clear (the auth exchange). */
  | { kind: "send"; message: LanMessage; key: CipherKey | undefined }
  /** An `opt` passed every check: apply `changes` and answer a `post` with `mid` (6.2.4). */
  | { kind: "apply"; changes: LanChange[]; mid: string }
  | { kind: "authenticated"; liveTimeS: number }
  /** A frame that is not one: dropped without an answer, counted. */
  | { kind: "drop"; code: string }
  | { kind: "close"; reason: LanCloseReason };

export interface LanSnapshot {
  as: LanAs;
  asc: LanAsc;
  fids?: number[] | undefined;
  ota?: Ota | undefined;
}

/** What a session reads of its device. */
export interface LanDeviceView {
  readonly deviceId: string;
  readonly pin: string;
  /** `lanControl` 2 (false): `opt` is answered 300002 (6.2.1). */
  readonly control: boolean;
  /** The fault switches, read at every step. */
  readonly misbehaviour: Pick<Misbehaviour, "lanAcceptBadKey" | "lanIgnoreLiveTime" | "lanWrongMid">;
  /** 6.2.3: the state a `query` answers with, now. */
  snapshot(): LanSnapshot;
  /** 6.2.4: the changes an `opt`'s `as` asks for, all checked, or the result code refusing it. */
  check(as: unknown): Result<LanChange[], { resultCode: MdResultCode }>;
}

export interface LanStep {
  session: LanSession;
  actions: LanSessionAction[];
}

export function openLanSession(now: number, authDeadlineMs = LAN_AUTH_DEADLINE_MS): LanSession {
  return { phase: "awaiting-auth", deadline: now + authDeadlineMs };
}

/** When the server must step the session with `time`: the auth deadline, or the lanKey's expiry. */
export function sessionDeadline(session: LanSession): number | undefined {
  if (session.phase === "awaiting-auth") return session.deadline;
  if (session.phase === "authenticated") return session.expiresAt;
  return undefined;
}

/** Whether spontaneous posts go to this client: authenticated, its lanKey still alive. */
export function canPost(
  session: LanSession,
  now: number,
): session is Extract<LanSession, { phase: "authenticated" }> {
  return session.phase === "authenticated" && (session.expiresAt === undefined || now < session.expiresAt);
}

const closed = (reason: LanCloseReason, ...before: LanSessionAction[]): LanStep => ({
  session: { phase: "closed", reason },
  actions: [...before, { kind: "close", reason }],
});

const clearResp = (code: MdResultCode, mid?: string): LanSessionAction => ({
  kind: "send",
  message: { cmd: "resp", code, ...(mid === undefined ? {} : { mid }) },
  key: undefined,
});

/** The `lanWrongMid` switch: another mid of the same schema (1..64 characters). */
export function otherMid(mid: string): string {
  if (mid.length < 64) return `${mid}0`;
  return `${mid.slice(0, -1)}${mid.endsWith("0") ? "1" : "0"}`;
}

export function stepLanSession(session: LanSession, event: LanSessionEvent, view: LanDeviceView): LanStep {
  if (session.phase === "closed") return { session, actions: [] };
  if (event.kind === "bad-frame") return closed("frame-too-long", { kind: "drop", code: event.code });
  if (session.phase === "awaiting-auth") {
    if (event.now >= session.deadline) return closed("auth-deadline");
    return event.kind === "frame"
      ? beforeAuth(session, event.line, event.now, view)
      : { session, actions: [] };
  }
  if (session.expiresAt !== undefined && event.now >= session.expiresAt) {
    // The `lanIgnoreLiveTime` switch: the key lives on.
    if (view.misbehaviour.lanIgnoreLiveTime) session = { ...session, expiresAt: undefined };
    // 6.2.2: past `liveTime` the lanKey is no longer valid; the client authenticates again on a new connection.
    else return closed("lan-key-expired");
  }
  return event.kind === "frame" ? afterAuth(session, event.line, view) : { session, actions: [] };
}

function beforeAuth(
  session: Extract<LanSession, { phase: "awaiting-auth" }>,
  line: Uint8Array,
  now: number,
  view: LanDeviceView,
): LanStep {
  const decoded = decodeLanFrame(line, undefined);
  if (!decoded.ok) {
    // Bytes that are not a frame are dropped (as Mc drops them, 5.2.2); a frame that breaks the auth schema is
    // a malformed request.
    if (decoded.error.code !== "BAD_BODY")
      return { session, actions: [{ kind: "drop", code: decoded.error.code }] };
    return closed("auth-refused", clearResp(mdResultCodes.badParameters, peekMid(line, undefined)));
  }
  const message = decoded.value;
  if (message.cmd !== "auth") {
    const mid = "mid" in message && typeof message.mid === "string" ? message.mid : undefined;
    return closed("not-authenticated", clearResp(mdResultCodes.authFailed, mid));
  }
  return authenticate(message, now, view);
}

function authenticate(auth: AuthRequest, now: number, view: LanDeviceView): LanStep {
  if (auth.to !== view.deviceId) return closed("auth-refused", clearResp(mdResultCodes.unknownDevice));
  const liveTimeS = Number(auth.liveTime);
  // A lanKey that lives no time at all authenticates nothing.
  if (liveTimeS === 0) return closed("auth-refused", clearResp(mdResultCodes.badParameters));
  // 6.2.2: the device checks that lanKey is AES(rand, PIN); the `lanAcceptBadKey` switch takes any.
  const accepted = lanKeyMatches(auth.rand, auth.lanKey, view.pin) || view.misbehaviour.lanAcceptBadKey;
  if (!accepted) return closed("auth-refused", clearResp(mdResultCodes.authFailed));
  return {
    session: {
      phase: "authenticated",
      // 6.2.2: every later frame is sealed with the lanKey's 16 bytes as key and IV.
      key: CipherKey.fromLanKey(Buffer.from(auth.lanKey, "hex")),
      expiresAt: now + liveTimeS * 1000,
    },
    actions: [clearResp(mdResultCodes.ok), { kind: "authenticated", liveTimeS }],
  };
}

function afterAuth(
  session: Extract<LanSession, { phase: "authenticated" }>,
  line: Uint8Array,
  view: LanDeviceView,
): LanStep {
  const { key } = session;
  const answer = (message: LanResponse): LanStep => ({ session, actions: [{ kind: "send", message, key }] });
  const decoded = decodeLanFrame(line, key);
  if (!decoded.ok) {
    if (decoded.error.code !== "BAD_BODY")
      return { session, actions: [{ kind: "drop", code: decoded.error.code }] };
    // 6.2.6: 100001 for a request that breaks its schema, an unknown `cmd` among them.
    const mid = peekMid(line, key);
    return answer({ cmd: "resp", code: mdResultCodes.badParameters, ...(mid === undefined ? {} : { mid }) });
  }
  const message = decoded.value;
  if (message.cmd !== "query" && message.cmd !== "opt") {
    // `auth` once only, in clear; `resp` and `post` go from the device to the app.
    const mid = "mid" in message && typeof message.mid === "string" ? message.mid : undefined;
    return answer({ cmd: "resp", code: mdResultCodes.badParameters, ...(mid === undefined ? {} : { mid }) });
  }
  const mid = view.misbehaviour.lanWrongMid ? otherMid(message.mid) : message.mid;
  const refuse = (code: MdResultCode) => answer({ cmd: "resp", mid, code });
  if (message.to !== view.deviceId) return refuse(mdResultCodes.unknownDevice);
  if (message.cmd === "query") {
    const { as, asc, fids, ota } = view.snapshot();
    return answer({
      cmd: "resp",
      mid,
      code: mdResultCodes.ok,
      as,
      asc,
      ...(fids === undefined || fids.length === 0 ? {} : { fids }),
      ...(ota === undefined ? {} : { ota }),
    });
  }
  // 6.2.1 lanControl 2: this device is not controlled on the LAN.
  if (!view.control) return refuse(mdResultCodes.unsupported);
  const checked = view.check(message.as);
  if (!checked.ok) return refuse(checked.error.resultCode);
  return { session, actions: [{ kind: "apply", changes: checked.value, mid }] };
}
