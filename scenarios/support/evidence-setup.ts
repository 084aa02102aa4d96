import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { type CaptureWriter, openCapture } from "../../harness/evidence/capture-file.ts";
import { EvidenceRecorder, type ScenarioEvidence } from "../../harness/evidence/recorder.ts";
import { externalTarget, forgetTakenTarget, suiteTakesTarget } from "../target/target-env.ts";
import { testEvidence } from "./test-evidence.ts";

declare module "vitest" {
  interface TaskMeta {
    /** What the scenario left for the reports (`hilfarm run`): round trips, devices online, a failure's timeline. */
    hilfarm?: ScenarioEvidence;
  }
}

// Setup files run before each test file, in the process the files share: this one starts taking no target.
forgetTakenTarget();

/** `hilfarm run --evidence` sets this: every frame of every test goes to a file below it. */
const evidenceDir = process.env.HILFARM_EVIDENCE_DIR;

const slug = (text: string) =>
  text
    .replace(/[^A-Za-z0-9.]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);

let recorder: EvidenceRecorder | undefined;
let capture: CaptureWriter | undefined;
let failed = false;

beforeEach((context) => {
  const external = externalTarget();
  if (external !== undefined && !suiteTakesTarget()) {
    context.skip(`needs hilfarm's own platform and devices on virtual time; the target is ${external}`);
    return;
  }
  failed = false;
  context.onTestFailed(() => {
    failed = true;
  });
  if (evidenceDir !== undefined) {
    const file = slug(context.task.file.name);
    capture = openCapture(
      join(evidenceDir, file, `${slug(context.task.name)}-${slug(context.task.id)}.jsonl`),
      {
        file: context.task.file.name,
        test: context.task.name,
      },
    );
  }
  const sink = capture;
  recorder = new EvidenceRecorder(sink === undefined ? {} : { sink: (frame) => sink.write(frame) });
  testEvidence.use(recorder);
});

afterEach(async (context) => {
  const failedNow = failed || context.task.result?.state === "fail";
  if (recorder !== undefined)
    context.task.meta.hilfarm = recorder.evidence(failedNow ? recorder.now() : undefined);
  testEvidence.use(undefined);
  recorder = undefined;
  await capture?.close();
  capture = undefined;
});
