import type { EvidenceFrame } from "../../harness/evidence/evidence-frame.ts";
import { emptyLatencies, type RunReport } from "../model.ts";

const frame = (
  at: number,
  code: number,
  direction: "in" | "out",
  body: Record<string, unknown>,
): EvidenceFrame => ({
  at,
  observer: "platform",
  deviceId: "0000111122223333aaaabbbb",
  direction,
  code,
  name: code === 1000 ? "HeartbeatRequest" : "HeartbeatResponse",
  sequence: "101",
  body,
});

/** A small report with a pass, a failure with its timeline, and a not-applicable clause. */
export function sampleReport(kind: RunReport["kind"] = "run"): RunReport {
  return {
    kind,
    title: "hilfarm run scenarios/timing",
    harness: { name: "hilfarm", version: "0.1.0", node: "v20.20.2", os: "linux x64" },
    command: "hilfarm run scenarios/timing",
    startedAt: "2026-11-22T08:00:00.000Z",
    finishedAt: "2026-11-22T08:00:05.000Z",
    wallMs: 5000,
    seed: "42",
    target: "emulated",
    ...(kind === "certification"
      ? {
          device: {
            deviceId: "0000111122223333aaaabbbb",
            model: "LOCK-01",
            firmware: "1.0.0.1",
            transport: "udp, tcp",
          },
        }
      : {}),
    suites: [
      {
        name: "5.4.2.3 heartbeat supervision",
        file: "scenarios/timing/connection.test.ts",
        cases: [
          {
            clause: "5.4.2.3",
            title: "offline after 3 x 30 s + 10 s",
            status: "pass",
            detail: "",
            wallMs: 12,
            targetMs: 100_000,
          },
          {
            clause: "5.4.2.3",
            title: 'a silent device <is> "offline" & gone',
            status: "fail",
            detail: "expected offline after 100000 ms of silence; saw offline after 70000 ms",
            wallMs: 8,
            targetMs: 70_000,
            timeline: {
              failedAt: 70_000,
              frames: [
                frame(0, 1000, "in", { sequence: "101", token: "[redacted]", time: 1 }),
                frame(1, 1001, "out", { result: 0, sequence: "101", time: 1 }),
              ],
            },
          },
          {
            clause: "5.4.2.2",
            title: "UDP again after a power cycle",
            status: "not-applicable",
            detail: "target lacks power-cycle",
            wallMs: 0,
            targetMs: 0,
          },
        ],
      },
    ],
    latencies: { ...emptyLatencies(), heartbeat: [3, 5, 8, 13, 250], control: [40, 41] },
    online: [
      {
        label: "5.4.2.3 offline after",
        points: [
          [0, 1],
          [100_000, 0],
        ],
      },
    ],
  };
}
