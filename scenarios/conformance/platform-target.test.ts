import { afterAll, beforeAll, describe, it } from "vitest";
import { loadRegistry } from "../../emulators/platform/registry/index.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { type PlatformTarget, platformTarget } from "../target/target.ts";
import { takesTarget } from "../target/target-env.ts";
import { runClauses } from "./clause.ts";
import { platformClauses } from "./platform-clauses.ts";

/**
 * The platform-under-test suite as one test per clause, against the target `hilfarm run --target` names (hilfarm's
 * own platform on virtual time by default; `tcp://host:port` for someone else's, with `--registry`).
 */
const targetText = takesTarget();
const registryFile = process.env.HILFARM_REGISTRY ?? "examples/registry/lab.json";
let target: PlatformTarget;

beforeAll(async () => {
  const registry = await loadRegistry(registryFile);
  const devices = registry.loginDevices();
  target = await platformTarget(targetText, devices, { evidence: testEvidence });
});

afterAll(async () => {
  await target?.close();
});

describe("platform under test (5.2, 5.4.2, 5.4.3.3)", () => {
  for (const check of platformClauses) {
    it(`${check.clause} ${check.title}`, async (context) => {
      const [result] = await runClauses(target, [check]);
      if (result?.status === "not-applicable") context.skip(result.detail);
      if (result?.status === "fail") throw new Error(result.detail);
    });
  }
});
