import type { SeenReport } from "./c-notify-host.ts";
import {
  bound,
  boundGateway,
  call,
  callIds,
  controlOf,
  expectTable,
  runOf,
  SECTION,
  subDeviceOf,
} from "./c-third-party-probe.ts";
import { missingField, tlsClauses, tokenRefusals, unknownClauses } from "./c-third-party-refusal-clauses.ts";
import type { CThirdPartyTarget } from "./c-third-party-target.ts";
import {
  answerTimeClause,
  expiryClauses,
  tokenIssueClauses,
  tokenRefusalClauses,
} from "./c-third-party-token-clauses.ts";
import { type ClauseCheck, expectThat, NotApplicable } from "./clause.ts";

/**
 * The suite for a third-party platform under test (7.3.2, C21-C31), seen from the smart-home platform's side: mutual
 * TLS, tokens and their renewal, every interface answered as its response table says, the refusals of 7.3.2.12, the
 * time an answer takes, and the reports (C12-C18) its devices' changes must send to the smart-home platform (7.2
 * step 4), which the suite hosts. Run in order: binds come first, the unbind last.
 */

/** How long a report may take to reach the smart-home platform after the change. */
export const REPORT_MS = 10_000;

/** Waits for a report of `deviceSN` of one of `kinds` seen at or after `since`; fails naming what was seen. */
async function expectReport(
  target: CThirdPartyTarget,
  deviceSN: string,
  kinds: readonly string[],
  since: number,
  expected: string,
): Promise<void> {
  const host = target.notifyHost;
  if (host === undefined)
    throw new NotApplicable("the suite hosts no C11-C18 server for this third party's reports");
  const match = (r: SeenReport) => r.deviceSN === deviceSN && kinds.includes(r.kind) && r.at >= since;
  const found = await host.waitFor(match, REPORT_MS);
  const seen = host.seen.filter((r) => r.at >= since).map((r) => `${r.kind} of ${r.deviceSN}`);
  expectThat(
    found !== undefined,
    `${expected} within ${REPORT_MS} ms`,
    seen.length === 0 ? "no report" : seen.join(", "),
  );
}

const functionalClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  {
    clause: SECTION.C22,
    title: "C22 binds the device, answered as the table says (deviceSN, deviceType, sequenceNo)",
    run: async (target) => {
      const since = target.clock.now();
      const answer = await call(target, "C22", { deviceSN: target.deviceSN });
      const json = expectTable(answer, "C22", `C22 of ${target.deviceSN}`);
      runOf(target).bound.add(target.deviceSN);
      expectThat(
        json.deviceSN === target.deviceSN,
        `deviceSN ${target.deviceSN}`,
        `deviceSN ${String(json.deviceSN)}`,
      );
      runOf(target).boundAt = since;
    },
  },
  {
    clause: "7.3.1.5, 7.3.1.6",
    title: "after a C22 bind the third party reports the device to the smart-home platform (C15 or C16)",
    run: async (target) => {
      const since = runOf(target).boundAt ?? target.clock.now();
      await bound(target, target.deviceSN);
      // 7.3.1.5 (online) and 7.3.1.6 (statuses on connecting): the platform's fan-out shows `online` or `state`.
      await expectReport(
        target,
        target.deviceSN,
        ["online", "state"],
        since,
        `C15 or C16 of ${target.deviceSN}`,
      );
    },
  },
  {
    clause: SECTION.C26,
    title: "C26 gives the device's online state as the table says",
    run: async (target) => {
      await bound(target, target.deviceSN);
      expectTable(
        await call(target, "C26", { deviceSN: target.deviceSN }),
        "C26",
        `C26 of ${target.deviceSN}`,
      );
    },
  },
  {
    clause: SECTION.C27,
    title: "C27 gives the device's statuses as the table says",
    run: async (target) => {
      await bound(target, target.deviceSN);
      expectTable(
        await call(target, "C27", { deviceSN: target.deviceSN }),
        "C27",
        `C27 of ${target.deviceSN}`,
      );
    },
  },
  {
    clause: SECTION.C28,
    title: "C28 controls the device, answered as the table says",
    run: async (target) => {
      const control = controlOf(target);
      await bound(target, target.deviceSN);
      const since = target.clock.now();
      expectTable(
        await call(target, "C28", { deviceSN: target.deviceSN, ...control }),
        "C28",
        `C28 of ${target.deviceSN}`,
      );
      runOf(target).controlledAt = since;
    },
  },
  {
    clause: "7.3.1.6",
    title: "after a C28 control the third party reports the device's new status (C16)",
    run: async (target) => {
      controlOf(target);
      const at = runOf(target).controlledAt;
      if (at === undefined) throw new NotApplicable("the C28 clause did not control the device");
      await expectReport(target, target.deviceSN, ["state"], at, `C16 of ${target.deviceSN}`);
    },
  },
  {
    clause: SECTION.C31,
    title: "C31 without resources to change is answered as the table says",
    run: async (target) => {
      await bound(target, target.deviceSN);
      expectTable(
        await call(target, "C31", { deviceSN: target.deviceSN }),
        "C31",
        `C31 of ${target.deviceSN}`,
      );
    },
  },
  {
    clause: SECTION.C29,
    title: "C29 lists the gateway's sub-devices as the table says",
    run: async (target) => {
      const gwId = await boundGateway(target);
      const json = expectTable(await call(target, "C29", { gwId }), "C29", `C29 of ${gwId}`);
      expectThat(json.gwId === gwId, `gwId ${gwId}`, `gwId ${String(json.gwId)}`);
    },
  },
  {
    clause: SECTION.C30,
    title: "C30 gives the gateway's and its sub-devices' statuses as the table says",
    run: async (target) => {
      const gwId = await boundGateway(target);
      expectTable(await call(target, "C30", { gwId }), "C30", `C30 of ${gwId}`);
    },
  },
  {
    clause: SECTION.C24,
    title: "C24 binds a sub-device of the gateway, answered as the table says",
    run: async (target) => {
      const sub = await subDeviceOf(target);
      expectTable(await call(target, "C24", sub), "C24", `C24 of ${sub.deviceSN} under ${sub.gwId}`);
    },
  },
  {
    clause: SECTION.C25,
    title: "C25 unbinds the sub-device, answered as the table says",
    run: async (target) => {
      const sub = await subDeviceOf(target);
      expectTable(await call(target, "C25", sub), "C25", `C25 of ${sub.deviceSN} under ${sub.gwId}`);
    },
  },
];

export const cThirdPartyClauses: readonly ClauseCheck<CThirdPartyTarget>[] = [
  ...tlsClauses,
  ...tokenIssueClauses,
  ...tokenRefusalClauses,
  ...tokenRefusals,
  ...functionalClauses,
  answerTimeClause,
  missingField("C21"),
  ...callIds.map(missingField),
  ...unknownClauses,
  ...expiryClauses,
  {
    clause: SECTION.C23,
    title: "C23 unbinds the device, answered as the table says",
    run: async (target) => {
      await bound(target, target.deviceSN);
      expectTable(
        await call(target, "C23", { deviceSN: target.deviceSN }),
        "C23",
        `C23 of ${target.deviceSN}`,
      );
    },
  },
];
