import type { CInterfaceId } from "../../harness/protocol/c/index.ts";
import { type CAnswer, post, sequenceNo, shownC } from "./c-probe.ts";
import type { CSmartHomeTarget } from "./c-smart-home-target.ts";
import { ClauseFailure } from "./clause.ts";

/**
 * What the C11-C18 suite keeps of one run against a smart-home platform: the devices it reports on (SNs drawn for the
 * run, so two runs against one platform never meet), which of them it has announced, and its current token.
 */

export type NotifyId = "C12" | "C13" | "C14" | "C15" | "C16" | "C17" | "C18";
export const notifyIds: readonly NotifyId[] = ["C12", "C13", "C14", "C15", "C16", "C17", "C18"];

export interface SmartHomeRun {
  /** A device that connects to the third party itself. */
  device: string;
  /** An application gateway, and a sub-device behind it. */
  gateway: string;
  subDevice: string;
  /** A device the suite never announces. */
  stranger: string;
  announced: Set<string>;
  token?: string;
}

const runs = new WeakMap<CSmartHomeTarget, SmartHomeRun>();

/** The run's record of `target`, made on first use. */
export function runOf(target: CSmartHomeTarget): SmartHomeRun {
  let run = runs.get(target);
  if (run === undefined) {
    const tag = target.random.string(8, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    const sn = (role: string) => `HFC${tag}${role}`;
    run = {
      device: sn("DEV"),
      gateway: sn("GW"),
      subDevice: sn("SUB"),
      stranger: sn("NONE"),
      announced: new Set(),
    };
    runs.set(target, run);
  }
  return run;
}

/** 7.3.1.1: the C11 body with the credentials exchanged offline (or others, for the refusals). */
export function tokenBody(
  target: CSmartHomeTarget,
  credentials: { platformId?: string; platformKey?: string } = {},
): Record<string, unknown> {
  return {
    platformId: credentials.platformId ?? target.platformId,
    platformKey: credentials.platformKey ?? target.platformKey,
    sequenceNo: sequenceNo(target),
  };
}

/** A new C11 token; fails the clause, naming the answer, when there is none. */
export async function newToken(target: CSmartHomeTarget): Promise<{ token: string; expiredAt: number }> {
  const answer = await post(target, "C11", tokenBody(target));
  const { code, access_token, expiredAt } = answer.json;
  if (code !== 0 || typeof access_token !== "string" || access_token === "" || typeof expiredAt !== "number")
    throw new ClauseFailure(
      `expected a token from C11 with the exchanged platformId and platformKey; saw HTTP ${answer.status} ${shownC(answer.json)}`,
    );
  runOf(target).token = access_token;
  return { token: access_token, expiredAt };
}

/** The run's token, taken with C11 when there is none yet. */
export async function tokenOf(target: CSmartHomeTarget): Promise<string> {
  return runOf(target).token ?? (await newToken(target)).token;
}

/**
 * A valid body of C12-C18 for `deviceSN` (and `gwId` for C13/C14), without its token: the records of 7.3.1.2-7.3.1.8
 * with values any platform takes.
 */
export function notifyFields(
  target: CSmartHomeTarget,
  id: NotifyId,
  deviceSN: string,
  gwId?: string,
): Record<string, unknown> {
  const base = { sequenceNo: sequenceNo(target), deviceSN, deviceType: target.deviceType };
  const gateway = { gwId: gwId ?? runOf(target).gateway };
  switch (id) {
    case "C12":
      return base;
    case "C13":
    case "C14":
      return { ...base, ...gateway };
    case "C15":
      return { ...base, online: "1" };
    case "C16":
      return { ...base, status: [{ serialId: "0", name: "POWER", value: "1" }] };
    case "C17":
      return {
        ...base,
        resource: [
          { serialId: "0", resName: "KEY_LIST", resInfo: [{ mode: "1", KEY_ID: "1", KEY_TYPE: "1" }] },
        ],
      };
    case "C18":
      return {
        ...base,
        event: [{ serialId: "0", eventName: "DOORBELL", eventInfo: [{ TIME: "20260101120000" }] }],
      };
  }
}

/** Interface `id` for `deviceSN` with the run's token. */
export async function notify(
  target: CSmartHomeTarget,
  id: NotifyId,
  deviceSN: string,
  gwId?: string,
): Promise<CAnswer> {
  const access_token = await tokenOf(target);
  return post(target, id, { access_token, ...notifyFields(target, id, deviceSN, gwId) });
}

/**
 * Makes `deviceSN` known to the platform: the target's hook, else C15 online (7.3.1.5; hilfarm reads a report as
 * what announces a device behind the third party). Once per device and run.
 */
export async function announce(target: CSmartHomeTarget, deviceSN: string, gwId?: string): Promise<void> {
  const run = runOf(target);
  if (run.announced.has(deviceSN)) return;
  if (target.announce !== undefined)
    await target.announce({
      deviceSN,
      deviceType: target.deviceType,
      ...(gwId === undefined ? {} : { gwId }),
    });
  else if (gwId === undefined) await notify(target, "C15", deviceSN);
  else await notify(target, "C13", deviceSN, gwId);
  run.announced.add(deviceSN);
}

/** A body of interface `id` as the suite sends it: C11's credentials, or C12-C18's fields with a token. */
export async function validBody(
  target: CSmartHomeTarget,
  id: CInterfaceId & ("C11" | NotifyId),
  deviceSN: string,
): Promise<Record<string, unknown>> {
  if (id === "C11") return tokenBody(target);
  return { access_token: await tokenOf(target), ...notifyFields(target, id, deviceSN) };
}
