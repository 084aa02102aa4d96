import { cResultCodes } from "../../harness/protocol/c/result-codes.ts";
import {
  eachOf,
  expectCode,
  expectHandshakeRefused,
  expectNamed,
  post,
  requiredFields,
  sequenceNo,
  without,
} from "./c-probe.ts";
import {
  type CallId,
  call,
  callIds,
  refusalFields,
  runOf,
  SECTION,
  tokenBody,
  tokenOf,
} from "./c-third-party-probe.ts";
import type { CThirdPartyTarget } from "./c-third-party-target.ts";
import type { ClauseCheck } from "./clause.ts";

/**
 * The refusals of the C21-C31 suite: the TLS handshake (7.1.4) and the codes of 7.3.2.12, 1001 for a missing or
 * unknown token, 1002 naming a missing field, 1003 for a device or gateway the third party does not have.
 */

export const tlsClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: "7.1.4",
    title: "a client without a certificate is refused in the TLS handshake",
    run: (target) =>
      expectHandshakeRefused(target, "C21", { ca: target.client.ca }, "a client without a certificate"),
  },
  {
    clause: "7.1.4",
    title: "a client certificate of another CA is refused in the TLS handshake",
    run: (target) =>
      expectHandshakeRefused(target, "C21", target.foreignClient, "a client certificate of an unrelated CA"),
  },
];

export const tokenRefusals: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: "7.3.2.12",
    title: "C22-C31 without access_token are answered 1001",
    run: (target) =>
      eachOf(callIds, async (id) => {
        const answer = await post(target, id, {
          sequenceNo: sequenceNo(target),
          ...refusalFields(target, id),
        });
        expectCode(answer, cResultCodes.tokenInvalid, `${id} without access_token`);
      }),
  },
  {
    clause: "7.3.2.12",
    title: "C22-C31 with a token the third party never issued are answered 1001",
    run: (target) =>
      eachOf(callIds, async (id) => {
        const body = {
          access_token: "NotIssued0000000",
          sequenceNo: sequenceNo(target),
          ...refusalFields(target, id),
        };
        expectCode(
          await post(target, id, body),
          cResultCodes.tokenInvalid,
          `${id} with a token never issued`,
        );
      }),
  },
];

/** 7.3.2.12 1002: each required field left out in turn, the answer naming it. */
export function missingField(id: "C21" | CallId): ClauseCheck<CThirdPartyTarget> {
  const fields = requiredFields(id).filter((f) => f !== "access_token");
  return {
    clause: SECTION[id],
    title: `${id} without a required field (${fields.join(", ")}) is answered 1002 naming it`,
    run: (target) =>
      eachOf(fields, async (field) => {
        const body =
          id === "C21"
            ? tokenBody(target)
            : {
                access_token: await tokenOf(target),
                sequenceNo: sequenceNo(target),
                ...refusalFields(target, id),
              };
        expectNamed(
          await post(target, id, without(body, field)),
          cResultCodes.badParameters,
          field,
          `${id} without ${field}`,
        );
      }),
  };
}

export const unknownClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: "7.3.2.12",
    title: "C22, C23, C26, C27, C28 and C31 of a device the third party does not have are answered 1003",
    run: (target) =>
      eachOf(["C22", "C23", "C26", "C27", "C28", "C31"] as const, async (id) => {
        const fields = { ...refusalFields(target, id), deviceSN: runOf(target).stranger };
        expectCode(
          await call(target, id, fields),
          cResultCodes.deviceUnknown,
          `${id} of ${runOf(target).stranger}`,
        );
      }),
  },
  {
    clause: "7.3.2.12",
    title: "C29 and C30 of a gateway the third party does not have are answered 1003",
    run: (target) =>
      eachOf(["C29", "C30"] as const, async (id) => {
        const gwId = runOf(target).stranger;
        expectCode(await call(target, id, { gwId }), cResultCodes.deviceUnknown, `${id} of gateway ${gwId}`);
      }),
  },
];
