import { afterEach, describe, expect, it } from "vitest";
import type { ThirdPartyMisbehaviour } from "../../emulators/third-party/index.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { cThirdPartyClauses } from "./c-third-party-clauses.ts";
import {
  type CThirdPartyTarget,
  DEFAULT_ANSWER_MS,
  emulatedThirdPartyTarget,
} from "./c-third-party-target.ts";
import { type ClauseResult, runClauses } from "./clause.ts";

const time = reportSimulatedTime("conformance: third-party platform (C21-C31)");
let open: CThirdPartyTarget | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const line = (r: ClauseResult) => `${r.status} ${r.clause} ${r.title}${r.detail ? `: ${r.detail}` : ""}`;
const named = (r: ClauseResult) => `${r.clause} ${r.title}`;

async function emulated(misbehaviour: Partial<ThirdPartyMisbehaviour> = {}): Promise<CThirdPartyTarget> {
  open = await emulatedThirdPartyTarget({ misbehaviour });
  if (open.clock instanceof VirtualClock) time.track(open.clock);
  return open;
}

const NO_TOKEN = "7.3.2.12 C22-C31 without access_token are answered 1001";
const BAD_TOKEN = "7.3.2.12 C22-C31 with a token the third party never issued are answered 1001";
const LIFETIME = "7.3.2.1 a C21 token lives long enough to be used";
const BOUND_REPORT = "7.3.1.5, 7.3.1.6 after a C22 bind the third party reports the device";
const CONTROL_REPORT = "7.3.1.6 after a C28 control the third party reports the device's new status (C16)";
const ANSWER_TIME = "7.3.2.12 C21 and C26 are answered within the time a smart-home platform waits";
const UNKNOWN_DEVICE = "7.3.2.12 C22, C23, C26, C27, C28 and C31 of a device the third party does not have";
const UNKNOWN_GATEWAY = "7.3.2.12 C29 and C30 of a gateway the third party does not have";
const EXPIRY = "7.3.2.1 a token is accepted until its expiredAt and answered 1001 from then on";
const RENEWAL = "7.3.2.12 a call with an expired token is answered 1001, and hilfarm's client renews it";

describe("the C21-C31 suite for a third-party platform under test", () => {
  it("passes every clause against hilfarm's emulated third party, on virtual time", async () => {
    const target = await emulated();
    const results = await runClauses(target, cThirdPartyClauses);
    expect(results.filter((r) => r.status !== "pass").map(line)).toEqual([]);
    expect(results.map((r) => r.clause)).toEqual([
      ...["7.1.4", "7.1.4", "7.3.2.1", "7.3.2.1", "7.3.2.1", "7.3.2.1", "7.3.2.12", "7.3.2.12"],
      ...["7.3.2.2", "7.3.1.5, 7.3.1.6", "7.3.2.6", "7.3.2.7", "7.3.2.8", "7.3.1.6", "7.3.2.9"],
      ...["7.3.2.10", "7.3.2.11", "7.3.2.4", "7.3.2.5", "7.3.2.12"],
      ...["7.3.2.1", "7.3.2.2", "7.3.2.3", "7.3.2.4", "7.3.2.5", "7.3.2.6", "7.3.2.7", "7.3.2.8"],
      ...["7.3.2.10", "7.3.2.11", "7.3.2.9"],
      ...["7.3.2.12", "7.3.2.12", "7.3.2.1", "7.3.2.12", "7.3.2.3"],
    ]);
  });

  it.each<[string, Partial<ThirdPartyMisbehaviour>, string[]]>([
    ["slowAnswersMs", { slowAnswersMs: DEFAULT_ANSWER_MS + 5_000 }, [ANSWER_TIME]],
    ["tokenLifetimeMs", { tokenLifetimeMs: 5_000 }, [LIFETIME]],
    [
      "wrongCodes",
      { wrongCodes: true },
      [NO_TOKEN, BAD_TOKEN, UNKNOWN_DEVICE, UNKNOWN_GATEWAY, EXPIRY, RENEWAL],
    ],
    ["dropNotifications", { dropNotifications: true }, [BOUND_REPORT, CONTROL_REPORT]],
  ])("%s fails the clauses that catch it, naming what they saw", async (_name, misbehaviour, failing) => {
    const target = await emulated(misbehaviour);
    const results = await runClauses(target, cThirdPartyClauses);
    const failed = results.filter((r) => r.status === "fail");
    expect(failed.map(named).map((n) => failing.find((f) => n.startsWith(f)) ?? n)).toEqual(failing);
    for (const r of failed) expect(r.detail, named(r)).toMatch(/expected .+; saw .+/);
    expect(results.filter((r) => r.status === "not-applicable").map(line)).toEqual([]);
  });
});
