import { showValue, UsageError } from "../../harness/errors.ts";
import { cResponse, parseCRequest, parseCRequestText } from "../../harness/protocol/c/codec.ts";
import { CRequestError } from "../../harness/protocol/c/errors.ts";
import type { CInterfaceId, CRequest } from "../../harness/protocol/c/interfaces.ts";
import { cResultCodes } from "../../harness/protocol/c/result-codes.ts";
import {
  checkToken,
  issueToken,
  type TokenSource,
  type TokenState,
  tokenState,
} from "../../harness/protocol/c/token.ts";
import { parseJsonSafely } from "../../harness/protocol/json-safe.ts";
import { type CallId, handleCall } from "./answers.ts";
import type { StatusInfo, TpDevice } from "./devices.ts";
import type { ThirdPartyMisbehaviour } from "./misbehaviour.ts";
import { connectReports, type Notification, notification, onlineFlag } from "./notifications.ts";

/**
 * The emulated third-party platform as a pure state machine: its devices (with who is bound) and its C21 tokens.
 * A request (C21-C31) or a change on a device goes in; the new state, the answer and the reports to the smart-home
 * platform (C12-C18) come out. The HTTP server and the notifier are the shell around it.
 */
export interface TpState {
  readonly devices: ReadonlyMap<string, TpDevice>;
  readonly tokens: TokenState;
}

export interface Step {
  readonly state: TpState;
  readonly notifications: Notification[];
}
export interface Answered extends Step {
  /** The JSON body, sent with HTTP 200 whatever its `code` (7.3.2.12). */
  readonly answer: Record<string, unknown>;
}

/** 7.2 step 1: the one `cloudId`/`cloudKey` pair exchanged offline. */
export function initialState(
  devices: readonly TpDevice[],
  credentials: { cloudId: string; cloudKey: string },
  tokenLifetimeMs?: number,
): TpState {
  const tokens = tokenState([[credentials.cloudId, credentials.cloudKey]], {
    interface: "C21",
    ...(tokenLifetimeMs === undefined ? {} : { lifetimeMs: tokenLifetimeMs }),
  });
  return { devices: new Map(devices.map((d) => [d.deviceSN, d])), tokens };
}

export interface RequestContext {
  readonly now: number;
  readonly tokenSource: TokenSource;
  readonly misbehaviour: ThirdPartyMisbehaviour;
}

const refused = (id: CInterfaceId, error: CRequestError) =>
  cResponse(id, error.resultCode, { desc: error.message });

const missingToken = () =>
  new CRequestError("TOKEN_INVALID", "access_token: missing (take one with C21, /token)", "access_token");

/** 7.3.2.1: a token for the pair exchanged offline (others are 1002 on `cloudKey`, the readings). */
function answerToken(state: TpState, text: string, ctx: RequestContext): Answered {
  const request = parseCRequestText("C21", text);
  if (!request.ok) return { state, notifications: [], answer: refused("C21", request.error) };
  const { cloudId, cloudKey } = request.value;
  // tokenLifetimeMs (misbehaviour): tokens that expire early.
  const early = ctx.misbehaviour.tokenLifetimeMs;
  const tokens = early > 0 ? { ...state.tokens, lifetimeMs: early } : state.tokens;
  const issued = issueToken(tokens, cloudId, cloudKey, ctx.now, ctx.tokenSource);
  if (!issued.ok) return { state, notifications: [], answer: refused("C21", issued.error) };
  const { access_token, expiredAt } = issued.value;
  const next = { ...state, tokens: { ...issued.value.state, lifetimeMs: state.tokens.lifetimeMs } };
  return { state: next, notifications: [], answer: cResponse("C21", 0, { access_token, expiredAt }) };
}

/** What `wrongCodes` answers for an unknown device instead of 1003: success, with empty results. */
function emptySuccess(id: CallId, request: CRequest<CallId>): Record<string, unknown> {
  const r = request as Record<string, unknown>;
  const fields: Record<CallId, Record<string, unknown>> = {
    C22: { deviceSN: r.deviceSN, deviceType: "unknown", sequenceNo: r.sequenceNo },
    C23: {},
    C24: {},
    C25: {},
    C26: { online: 0 },
    C27: { status: [] },
    C28: {},
    C29: { gwId: r.gwId, deviceType: "unknown", online: 0, devices: [] },
    C30: { gwId: r.gwId, deviceType: "unknown", status: [], devices: [] },
    C31: {},
  };
  return cResponse(id, 0, fields[id] as never);
}

/**
 * C21-C31 at `ctx.now`. For C22-C31: a token first (1001 when missing, unknown, replaced or expired), then the body
 * against the interface's table (1002 naming the field), then the device (1003), as the smart-home side does.
 */
export function answerRequest(
  state: TpState,
  id: "C21" | CallId,
  text: string,
  ctx: RequestContext,
): Answered {
  if (id === "C21") return answerToken(state, text, ctx);
  const wrong = ctx.misbehaviour.wrongCodes;
  const no = (error: CRequestError): Answered => {
    // wrongCodes (misbehaviour): a bad token is 9999 instead of 1001.
    const code =
      wrong && error.resultCode === cResultCodes.tokenInvalid ? cResultCodes.failure : error.resultCode;
    return { state, notifications: [], answer: cResponse(id, code, { desc: error.message }) };
  };
  const json = parseJsonSafely(text);
  if (!json.ok || typeof json.value !== "object" || json.value === null || Array.isArray(json.value)) {
    const parsed = json.ok ? parseCRequest(id, json.value) : parseCRequestText(id, text);
    return no(parsed.ok ? missingToken() : parsed.error);
  }
  const token = (json.value as { access_token?: unknown }).access_token;
  if (typeof token !== "string" || token === "") return no(missingToken());
  const valid = checkToken(state.tokens, token, ctx.now);
  if (!valid.ok) return no(valid.error);
  const request = parseCRequest(id, json.value);
  if (!request.ok) return no(request.error);
  const handled = handleCall(state.devices, id, request.value);
  if (!handled.ok) {
    if (wrong && handled.error.resultCode === cResultCodes.deviceUnknown)
      return { state, notifications: [], answer: emptySuccess(id, request.value) };
    return no(handled.error);
  }
  const { changed, fields, notifications } = handled.value;
  return {
    state: withDevices(state, changed),
    notifications,
    answer: cResponse(id, 0, fields as never),
  };
}

function withDevices(state: TpState, changed: readonly TpDevice[]): TpState {
  if (changed.length === 0) return state;
  const devices = new Map(state.devices);
  for (const d of changed) devices.set(d.deviceSN, d);
  return { ...state, devices };
}

/** A device by SN, or `UsageError` naming it: the caller (a test, the CLI) asked for a device there is not. */
export function deviceOf(state: TpState, deviceSN: string): TpDevice {
  const device = state.devices.get(deviceSN);
  if (device === undefined)
    throw new UsageError(
      "deviceSN",
      `deviceSN: no device ${showValue(deviceSN)} on the emulated third-party platform`,
    );
  return device;
}

/** Reported only while bound (7.2 step 3): before a bind and after an unbind the platform hears nothing. */
const reported = (device: TpDevice, notes: Notification[]): Notification[] => (device.bound ? notes : []);

/** The device connects to or leaves the third party: C15, and on connecting C16 with statuses and resources. */
export function setOnline(state: TpState, deviceSN: string, online: boolean): Step {
  const device = deviceOf(state, deviceSN);
  if (device.online === online) return { state, notifications: [] };
  const next = { ...device, online };
  const notes = online
    ? connectReports(next)
    : [notification("C15", next, { deviceType: next.deviceType, online: onlineFlag(false) })];
  return { state: withDevices(state, [next]), notifications: reported(next, notes) };
}

/** A status changes on the device itself (a sensor reading, a button): C16 with that status while online. */
export function setStatus(
  state: TpState,
  deviceSN: string,
  serialId: string,
  name: string,
  value: string,
): Step {
  const device = deviceOf(state, deviceSN);
  const line = device.status[serialId];
  if (line === undefined || !(name in line))
    throw new UsageError("status", `status: ${device.deviceType} has no status ${serialId}/${name}`);
  const next = { ...device, status: { ...device.status, [serialId]: { ...line, [name]: value } } };
  const status: StatusInfo[] = [{ serialId, name, value }];
  // A change made while offline reaches the platform with the C16 of the next connect.
  const notes = next.online ? [notification("C16", next, { deviceType: next.deviceType, status })] : [];
  return { state: withDevices(state, [next]), notifications: reported(next, notes) };
}

/** One event of 7.3.1.8 (`serialId` "0" and no details unless given). */
export interface TpEvent {
  eventName: string;
  serialId?: string;
  eventId?: string;
  eventInfo?: Array<Record<string, string>>;
}

/** The device reports an event: C18 while bound and online. */
export function emitEvent(state: TpState, deviceSN: string, event: TpEvent): Step {
  const device = deviceOf(state, deviceSN);
  if (event.eventName === "") throw new UsageError("eventName", "eventName: expected a non-empty string");
  const entry = {
    ...(event.eventId === undefined ? {} : { eventId: event.eventId }),
    serialId: event.serialId ?? "0",
    eventName: event.eventName,
    eventInfo: event.eventInfo ?? [],
  };
  const notes = device.online
    ? [notification("C18", device, { deviceType: device.deviceType, event: [entry] })]
    : [];
  return { state, notifications: reported(device, notes) };
}

/**
 * Binds every device as if the smart-home platform had sent C22 for each device and gateway and C24 for each
 * sub-device, with the same reports: for a platform that cannot bind yet (`hilfarm up` without an outbound side).
 */
export function bindAll(state: TpState): Step {
  const notes: Notification[] = [];
  let devices = state.devices;
  const bindOne = (d: TpDevice) => {
    if (d.bound) return;
    const bound = { ...d, bound: true };
    devices = new Map(devices).set(d.deviceSN, bound);
    if (bound.gwId !== undefined)
      notes.push(notification("C13", bound, { gwId: bound.gwId, deviceType: bound.deviceType }));
    notes.push(...connectReports(bound));
  };
  for (const d of state.devices.values()) if (d.kind !== "sub-device") bindOne(d);
  for (const d of state.devices.values()) if (d.kind === "sub-device") bindOne(d);
  return { state: { ...state, devices }, notifications: notes };
}
