import { afterAll, beforeAll, describe, it } from "vitest";
import { loadRegistry } from "../../emulators/platform/registry/index.ts";
import { runClauses } from "../conformance/clause.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { type PlatformTarget, platformTarget } from "../target/target.ts";
import { externalTarget, takesTarget } from "../target/target-env.ts";
import { hostileClauses } from "./hostile-clauses.ts";

/**
 * The hostile-input suite as one test per clause, against the target `hilfarm run --target` names: hilfarm's own
 * platform in process by default, `tcp://host:port?api=http://host:port` for someone else's (with `--registry`; the
 * API token, if it needs one, in HILFARM_API_TOKEN). HILFARM_HOSTILE_FLOOD sets the flood (H3): 20,000 connections
 * against someone's platform, 300 against the one in process.
 */
// hilfarm's own platform runs with an API token, so that the clause on tokens (H4.5) applies too.
const chosen = takesTarget();
const targetText = chosen === "emulated" ? "emulated?api-token=hostile-suite-token" : chosen;
const registryFile = process.env.HILFARM_REGISTRY ?? "examples/registry/lab.json";
const flood = Number(process.env.HILFARM_HOSTILE_FLOOD ?? (externalTarget() === undefined ? 300 : 20_000));
const apiToken = process.env.HILFARM_API_TOKEN;
let target: PlatformTarget;

beforeAll(async () => {
  const registry = await loadRegistry(registryFile);
  const devices = registry.loginDevices();
  target = await platformTarget(targetText, devices, {
    ...(apiToken === undefined ? {} : { apiToken }),
    evidence: testEvidence,
  });
});

afterAll(async () => {
  await target?.close();
});

describe("hostile input: one frame, replays, floods, the API", () => {
  for (const check of hostileClauses({ flood })) {
    it(`${check.clause} ${check.title}`, async (context) => {
      const [result] = await runClauses(target, [check]);
      if (result?.status === "not-applicable") context.skip(result.detail);
      if (result?.status === "fail") throw new Error(result.detail);
    });
  }
});
