import { type ThirdPartyCallId, thirdPartyCallIds } from "../../emulators/interop/third-party-client.ts";
import type { CInterfaceId } from "../../harness/protocol/c/index.ts";
import { cInterfaces } from "../../harness/protocol/c/index.ts";
import { type CAnswer, expectCode, post, sequenceNo, shownC } from "./c-probe.ts";
import type { CThirdPartyTarget } from "./c-third-party-target.ts";
import { ClauseFailure, expectThat, NotApplicable } from "./clause.ts";

/**
 * What the C21-C31 suite keeps of one run against a third-party platform: its token, the devices it has bound, the
 * sub-device it found behind the gateway, and an SN the third party does not have.
 */

/** C22-C31: the calls the smart-home platform's client makes with a token (one list, the client's). */
export type CallId = ThirdPartyCallId;
export const callIds: readonly CallId[] = thirdPartyCallIds;

export const SECTION: Readonly<Record<"C21" | CallId, string>> = {
  C21: "7.3.2.1",
  C22: "7.3.2.2",
  C23: "7.3.2.3",
  C24: "7.3.2.4",
  C25: "7.3.2.5",
  C26: "7.3.2.6",
  C27: "7.3.2.7",
  C28: "7.3.2.8",
  C31: "7.3.2.9",
  C29: "7.3.2.10",
  C30: "7.3.2.11",
};

export interface ThirdPartyRun {
  token?: { access_token: string; expiredAt: number };
  bound: Set<string>;
  subDevice?: string;
  stranger: string;
  /** When the C22 of the device and the C28 were sent: their reports are looked for from then on. */
  boundAt?: number;
  controlledAt?: number;
}

const runs = new WeakMap<CThirdPartyTarget, ThirdPartyRun>();

export function runOf(target: CThirdPartyTarget): ThirdPartyRun {
  let run = runs.get(target);
  if (run === undefined) {
    run = {
      bound: new Set(),
      stranger: `HFC${target.random.string(8, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}NONE`,
    };
    runs.set(target, run);
  }
  return run;
}

/** 7.3.2.1: the C21 body with the pair exchanged offline, or others. */
export function tokenBody(
  target: CThirdPartyTarget,
  credentials: { cloudId?: string; cloudKey?: string } = {},
): Record<string, unknown> {
  return {
    cloudId: credentials.cloudId ?? target.cloudId,
    cloudKey: credentials.cloudKey ?? target.cloudKey,
    sequenceNo: sequenceNo(target),
  };
}

/** A new C21 token; fails the clause, naming the answer, when there is none. */
export async function newToken(
  target: CThirdPartyTarget,
): Promise<{ access_token: string; expiredAt: number }> {
  const answer = await post(target, "C21", tokenBody(target));
  const checked = cInterfaces.C21.response.safeParse(answer.json);
  if (!checked.success)
    throw new ClauseFailure(
      `expected a token from C21 with the exchanged cloudId and cloudKey; saw HTTP ${answer.status} ${shownC(answer.json)}`,
    );
  const token = { access_token: checked.data.access_token, expiredAt: checked.data.expiredAt };
  runOf(target).token = token;
  return token;
}

/** The run's token while it is valid on the target's time, else a new one. */
export async function tokenOf(target: CThirdPartyTarget): Promise<string> {
  const token = runOf(target).token;
  if (token !== undefined && target.clock.now() < token.expiredAt) return token.access_token;
  return (await newToken(target)).access_token;
}

/** Interface `id` with `fields`, the run's token and a `sequenceNo`. */
export async function call(
  target: CThirdPartyTarget,
  id: CallId,
  fields: Record<string, unknown>,
  maxMs?: number,
): Promise<CAnswer> {
  const body = { access_token: await tokenOf(target), sequenceNo: sequenceNo(target), ...fields };
  return post(target, id, body, maxMs === undefined ? {} : { maxMs });
}

/** The answer is a success as interface `id`'s response table says (required fields present and typed). */
export function expectTable(answer: CAnswer, id: CInterfaceId, what: string): Record<string, unknown> {
  const checked = cInterfaces[id].response.safeParse(answer.json);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue?.path.join(".") || "body";
    expectThat(
      false,
      `code 0 and the fields of ${id}'s response table for ${what}`,
      `HTTP ${answer.status} ${shownC(answer.json)} (${field}: ${issue?.message ?? "invalid"})`,
    );
  }
  return answer.json;
}

/** 7.3.2.2: binds `deviceSN` (C22) once per run; fails the clause when the third party refuses. */
export async function bound(target: CThirdPartyTarget, deviceSN: string): Promise<CAnswer | undefined> {
  const run = runOf(target);
  if (run.bound.has(deviceSN)) return undefined;
  const answer = await call(target, "C22", { deviceSN });
  expectCode(answer, 0, `C22 bind of ${deviceSN}`);
  run.bound.add(deviceSN);
  return answer;
}

/** The gateway, bound; not applicable when the target has none. */
export async function boundGateway(target: CThirdPartyTarget): Promise<string> {
  const { gatewaySN } = target;
  if (gatewaySN === undefined) throw new NotApplicable("no gateway of the third party was given (--gateway)");
  await bound(target, gatewaySN);
  return gatewaySN;
}

/** A sub-device of the gateway, from its C29 list (7.3.2.10). */
export async function subDeviceOf(target: CThirdPartyTarget): Promise<{ gwId: string; deviceSN: string }> {
  const gwId = await boundGateway(target);
  const run = runOf(target);
  if (run.subDevice === undefined) {
    const answer = await call(target, "C29", { gwId });
    const devices = answer.json.devices;
    const first = Array.isArray(devices) ? (devices[0] as { deviceSN?: unknown } | undefined) : undefined;
    if (typeof first?.deviceSN !== "string")
      throw new ClauseFailure(`expected a sub-device in the C29 list of ${gwId}; saw ${shownC(answer.json)}`);
    run.subDevice = first.deviceSN;
  }
  return { gwId, deviceSN: run.subDevice };
}

/** A command for C28: the target's; not applicable without one. */
export function controlOf(target: CThirdPartyTarget): {
  serialId: string;
  cmds: Array<{ name: string; value: string }>;
} {
  const { control } = target;
  if (control === undefined)
    throw new NotApplicable("no command of the device was given (--control serialId:NAME=VALUE)");
  return { serialId: control.serialId, cmds: [{ name: control.name, value: control.value }] };
}

/**
 * A request body of `id` without its token for the refusal clauses: the device, gateway and sub-device as far as
 * known (the refusal comes before any of them is looked at), a command even when none was given.
 */
export function refusalFields(target: CThirdPartyTarget, id: CallId): Record<string, unknown> {
  const run = runOf(target);
  const gwId = target.gatewaySN ?? target.deviceSN;
  const sub = run.subDevice ?? target.deviceSN;
  const control = target.control ?? { serialId: "0", name: "SET_POWER", value: "1" };
  switch (id) {
    case "C24":
    case "C25":
      return { deviceSN: sub, gwId };
    case "C29":
    case "C30":
      return { gwId };
    case "C28":
      return {
        deviceSN: target.deviceSN,
        serialId: control.serialId,
        cmds: [{ name: control.name, value: control.value }],
      };
    default:
      return { deviceSN: target.deviceSN };
  }
}
