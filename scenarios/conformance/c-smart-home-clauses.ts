import { cInterfaces } from "../../harness/protocol/c/index.ts";
import { cResultCodes } from "../../harness/protocol/c/result-codes.ts";
import {
  eachOf,
  expectCode,
  expectExpiry,
  expectHandshakeRefused,
  expectNamed,
  post,
  requiredFields,
  shownC,
  without,
} from "./c-probe.ts";
import {
  announce,
  type NotifyId,
  newToken,
  notify,
  notifyFields,
  notifyIds,
  runOf,
  tokenBody,
  validBody,
} from "./c-smart-home-probe.ts";
import type { CSmartHomeTarget } from "./c-smart-home-target.ts";
import { type ClauseCheck, expectThat, NotApplicable } from "./clause.ts";

/**
 * The suite for a smart-home platform under test (7.3.1, C11-C18), seen from the third-party platform's side: mutual
 * TLS, tokens, each report accepted, and the refusals of 7.3.1.9. Run in order: the reports announce the devices the
 * refusals then speak of, and the unbinds (C14, C12) come last.
 */

/** 7.3.1.1: `expiredAt` is a timestamp in ms; a token that lives past a year is read as a misread unit. */
const YEAR_MS = 366 * 86_400_000;
const SECTION: Readonly<Record<"C11" | NotifyId, string>> = {
  C11: "7.3.1.1",
  C12: "7.3.1.2",
  C13: "7.3.1.3",
  C14: "7.3.1.4",
  C15: "7.3.1.5",
  C16: "7.3.1.6",
  C17: "7.3.1.7",
  C18: "7.3.1.8",
};

const tlsClauses: readonly ClauseCheck<CSmartHomeTarget>[] = [
  {
    clause: "7.1.4",
    title: "a client without a certificate is refused in the TLS handshake",
    run: (target) =>
      expectHandshakeRefused(target, "C11", { ca: target.client.ca }, "a client without a certificate"),
  },
  {
    clause: "7.1.4",
    title: "a client certificate of another CA is refused in the TLS handshake",
    run: (target) =>
      expectHandshakeRefused(target, "C11", target.foreignClient, "a client certificate of an unrelated CA"),
  },
  {
    clause: "7.1.4",
    title: "an expired client certificate of the trusted CA is refused in the TLS handshake",
    run: async (target) => {
      if (target.expiredClient === undefined)
        throw new NotApplicable("no expired client certificate of the platform's CA was given");
      await expectHandshakeRefused(target, "C11", target.expiredClient, "an expired client certificate");
    },
  },
];

const tokenClauses: readonly ClauseCheck<CSmartHomeTarget>[] = [
  {
    clause: "7.3.1.1",
    title: "C11 with the exchanged platformId and platformKey gives a token, expiredAt in the future in ms",
    run: async (target) => {
      const answer = await post(target, "C11", tokenBody(target));
      const checked = cInterfaces.C11.response.safeParse(answer.json);
      expectThat(
        checked.success,
        "an answer as 7.3.1.1's table says (code 0, desc, access_token, expiredAt)",
        shownC(answer.json),
      );
      const now = target.clock.now();
      const { expiredAt, access_token } = checked.data;
      expectThat(
        expiredAt > now && expiredAt <= now + YEAR_MS,
        `expiredAt after now (${now} ms) and within a year of it`,
        `expiredAt ${expiredAt}`,
      );
      runOf(target).token = access_token;
    },
  },
  {
    clause: "7.3.1.1",
    title: "C11 with a wrong platformKey gives no token",
    run: async (target) => {
      const answer = await post(
        target,
        "C11",
        tokenBody(target, { platformKey: `${target.platformKey}-wrong` }),
      );
      expectRefusedToken(answer.json, "a wrong platformKey");
    },
  },
  {
    clause: "7.3.1.1",
    title: "C11 with an unknown platformId gives no token",
    run: async (target) => {
      const answer = await post(
        target,
        "C11",
        tokenBody(target, { platformId: `${target.platformId}-unknown` }),
      );
      expectRefusedToken(answer.json, "an unknown platformId");
    },
  },
];

/** 7.3.1.9 has no code for wrong credentials: any failure code, and no token, passes (hilfarm answers 1002). */
function expectRefusedToken(json: Record<string, unknown>, what: string): void {
  expectThat(
    typeof json.code === "number" && json.code !== 0 && json.access_token === undefined,
    `a failure code and no access_token for ${what}`,
    shownC(json),
  );
}

const tokenRefusals: readonly ClauseCheck<CSmartHomeTarget>[] = [
  {
    clause: "7.3.1.9",
    title: "C12-C18 without access_token are answered 1001",
    run: (target) =>
      eachOf(notifyIds, async (id) => {
        const answer = await post(target, id, notifyFields(target, id, runOf(target).device));
        expectCode(answer, cResultCodes.tokenInvalid, `${id} without access_token`);
      }),
  },
  {
    clause: "7.3.1.9",
    title: "C12-C18 with a token the platform never issued are answered 1001",
    run: (target) =>
      eachOf(notifyIds, async (id) => {
        const body = { access_token: "NotIssued0000000", ...notifyFields(target, id, runOf(target).device) };
        expectCode(
          await post(target, id, body),
          cResultCodes.tokenInvalid,
          `${id} with a token never issued`,
        );
      }),
  },
];

/** One clause per report the platform must accept (code 0), its device announced first. */
function accepted(
  id: NotifyId,
  title: string,
  device: (t: CSmartHomeTarget) => [string, string?],
): ClauseCheck<CSmartHomeTarget> {
  return {
    clause: SECTION[id],
    title: `${id} ${title} is accepted (code 0)`,
    run: async (target) => {
      const [deviceSN, gwId] = device(target);
      if (gwId !== undefined) await announce(target, gwId);
      if (id !== "C15" && id !== "C13") await announce(target, deviceSN, gwId);
      const answer = await notify(target, id, deviceSN, gwId);
      const checked = cInterfaces[id].response.safeParse(answer.json);
      expectThat(
        checked.success,
        `code 0 for ${id} of ${deviceSN}, as 7.3.1.9 says`,
        `HTTP ${answer.status} ${shownC(answer.json)}`,
      );
      if (id === "C15" || id === "C13") runOf(target).announced.add(deviceSN);
    },
  };
}

const device = (t: CSmartHomeTarget): [string] => [runOf(t).device];
const subDevice = (t: CSmartHomeTarget): [string, string] => [runOf(t).subDevice, runOf(t).gateway];

/** 7.3.1.9 1002: each required field left out in turn, the answer naming it. */
function missingField(id: "C11" | NotifyId): ClauseCheck<CSmartHomeTarget> {
  const fields = requiredFields(id).filter((f) => f !== "access_token");
  return {
    clause: SECTION[id],
    title: `${id} without a required field (${fields.join(", ")}) is answered 1002 naming it`,
    run: async (target) => {
      const run = runOf(target);
      const sn = id === "C13" || id === "C14" ? run.subDevice : run.device;
      await eachOf(fields, async (field) => {
        const body = without(await validBody(target, id, sn), field);
        expectNamed(
          await post(target, id, body),
          cResultCodes.badParameters,
          field,
          `${id} without ${field}`,
        );
      });
    },
  };
}

/** 7.3.1.9 1003: a report on a device the platform was never told of. */
function unknownDevice(id: "C12" | "C14" | "C17" | "C18"): ClauseCheck<CSmartHomeTarget> {
  return {
    clause: SECTION[id],
    title: `${id} of a device never announced is answered 1003`,
    run: async (target) => {
      const run = runOf(target);
      await announce(target, run.gateway);
      const answer = await notify(target, id, run.stranger, run.gateway);
      expectCode(answer, cResultCodes.deviceUnknown, `${id} of ${run.stranger}, never announced`);
    },
  };
}

const laterTokenClauses: readonly ClauseCheck<CSmartHomeTarget>[] = [
  {
    clause: "7.3.1.1",
    title:
      "a second C11 replaces the token: the first is answered 1001, the second accepted (hilfarm's reading)",
    run: async (target) => {
      const { device: sn } = runOf(target);
      await announce(target, sn);
      const first = await newToken(target);
      const second = await newToken(target);
      const old = await post(target, "C15", {
        access_token: first.token,
        ...notifyFields(target, "C15", sn),
      });
      expectCode(old, cResultCodes.tokenInvalid, "C15 with the token a second C11 replaced");
      const now = await post(target, "C15", {
        access_token: second.token,
        ...notifyFields(target, "C15", sn),
      });
      expectCode(now, cResultCodes.success, "C15 with the token of the second C11");
    },
  },
  {
    clause: "7.3.1.1",
    title: "a token is accepted until expiredAt and answered 1001 from then on",
    run: async (target) => {
      const { device: sn } = runOf(target);
      await announce(target, sn);
      const issuedAt = target.clock.now();
      const { token, expiredAt } = await newToken(target);
      const ask = () => post(target, "C15", { access_token: token, ...notifyFields(target, "C15", sn) });
      await expectExpiry(target, issuedAt, expiredAt, ask, "C15 with the token");
      runOf(target).token = undefined;
    },
  },
];

export const cSmartHomeClauses: readonly ClauseCheck<CSmartHomeTarget>[] = [
  ...tlsClauses,
  ...tokenClauses,
  ...tokenRefusals,
  accepted("C15", "online report of a device", device),
  accepted("C16", "status report", device),
  accepted("C17", "resource change report", device),
  accepted("C18", "event report", device),
  accepted("C13", "sub-device bound to a gateway", subDevice),
  missingField("C11"),
  ...notifyIds.map(missingField),
  ...(["C12", "C14", "C17", "C18"] as const).map(unknownDevice),
  {
    clause: "7.3.1.3",
    title: "C13 under a gateway never announced is answered 1003",
    run: async (target) => {
      const run = runOf(target);
      const answer = await notify(target, "C13", run.subDevice, run.stranger);
      expectCode(
        answer,
        cResultCodes.deviceUnknown,
        `C13 of ${run.subDevice} under ${run.stranger}, never announced`,
      );
    },
  },
  accepted("C14", "sub-device unbound from its gateway", subDevice),
  accepted("C12", "device unbound", device),
  ...laterTokenClauses,
];
