import { type McCode, packetType } from "../../harness/protocol/mc/packet-types.ts";
import type { RecordedFrame } from "../../harness/replay/recording.ts";
import type { ExchangeVerdict, ReplayedFrame, ReplayOutcome } from "../../harness/replay/verdict.ts";
import { maskSecrets } from "../../harness/secrets.ts";
import type { CaseReport, ComparedFrame } from "../../reports/model.ts";

/** One report case per replayed exchange (the frames side by side), and one failure per unrecorded request. */
export function replayCases(
  verdicts: readonly ExchangeVerdict[],
  outcome: ReplayOutcome,
  underTest: "platform" | "device",
): CaseReport[] {
  const recorded = (f: RecordedFrame): ComparedFrame => ({
    code: f.code,
    name: f.name,
    atMs: f.at - outcome.recordedStart,
    // Masked when recorded; masked again, for a file written by another tool.
    body: maskSecrets(f.body),
  });
  const replayed = (f: ReplayedFrame): ComparedFrame => ({
    code: f.code,
    name: nameOf(f.code),
    atMs: f.at - outcome.startedAt,
    body: maskSecrets(f.body),
  });
  const cases: CaseReport[] = verdicts.map((v) => ({
    clause: "",
    title: v.title,
    status: v.status,
    detail: v.differences.join("; "),
    wallMs: 0,
    targetMs: v.atMs,
    comparison: {
      recorded: v.recorded.map(recorded),
      replayed: v.replayed.map(replayed),
      differences: v.differences,
    },
  }));
  for (const extra of outcome.unexpected)
    cases.push({
      clause: "",
      title: `unrecorded ${extra.code} ${nameOf(extra.code)} from the ${underTest}`,
      status: "fail",
      detail: `the ${underTest} sent a ${extra.code} ${nameOf(extra.code)} at +${((extra.at - outcome.startedAt) / 1000).toFixed(1)} s that the recording does not have`,
      wallMs: 0,
      targetMs: extra.at - outcome.startedAt,
      comparison: { recorded: [], replayed: [replayed(extra)], differences: ["not in the recording"] },
    });
  return cases;
}

function nameOf(code: number): string {
  return packetType(code as McCode)?.name ?? `code ${code}`;
}
