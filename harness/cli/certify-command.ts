import { join } from "node:path";
import { type Command, Option } from "commander";
import { loadRegistry } from "../../emulators/platform/registry/index.ts";
import type { CaseReport, RunReport } from "../../reports/model.ts";
import { totals } from "../../reports/model.ts";
import { defaultReportDir, writeReports } from "../../reports/write-reports.ts";
import { runClauses } from "../../scenarios/conformance/clause.ts";
import { deviceClauses } from "../../scenarios/conformance/device-clauses.ts";
import { showValue, UsageError } from "../errors.ts";
import { openCapture } from "../evidence/capture-file.ts";
import { setCurrentRecorder } from "../evidence/current.ts";
import { EvidenceRecorder } from "../evidence/recorder.ts";
import { externalDeviceTarget } from "../target/device-target.ts";
import type { CliIo } from "./io.ts";
import { integerOption, portOption } from "./options.ts";
import { harnessInfo } from "./version.ts";

interface CertifyOptions {
  registry: string;
  device: string;
  transport?: "tcp" | "udp";
  heartbeat: number;
  host: string;
  loginPort: number;
  tcpPort: number;
  udpPort: number;
  httpPort: number;
  seed?: number;
  reportDir?: string;
}

const SUITE = "device under test (5.2, 5.4.2, 5.4.3)";

/**
 * `hilfarm certify`: hilfarm's platform waits for the device under test, runs the device-under-test suite clause by
 * clause on real time, and writes the certification report (JUnit, JSON, HTML) with every frame as evidence.
 */
export function addCertifyCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command("certify")
    .description(
      "Certify a device: hilfarm's platform listens, the device under test logs in to it (switch it on once the\n" +
        "ready line is printed), and every clause of the device-under-test suite runs on real time. Writes\n" +
        "junit.xml, report.json, report.html (certification report) and evidence.jsonl (every frame) to the report\n" +
        "directory. Exit code 0 when every applicable clause passed, 1 when any failed, 2 for a usage error.",
    )
    .requiredOption("--registry <file>", "the device's credentials (JSON or CSV)")
    .requiredOption("--device <deviceId>", "which registry entry is the device under test")
    .addOption(
      new Option(
        "--transport <transport>",
        "the transport the device is declared to use; the report fails 5.4.2.2 if it never connects over it",
      ).choices(["tcp", "udp"]),
    )
    .option(
      "--heartbeat <seconds>",
      "heartBeat given to the device in 1005: short, so the suite takes minutes",
      integerOption("heartbeat", 1, 86400),
      5,
    )
    .option("--host <address>", "interface to listen on (0.0.0.0 for a lab network)", "127.0.0.1")
    .option("--login-port <port>", "login server (0: any free port)", portOption("login-port"), 8700)
    .option("--tcp-port <port>", "TCP connection server", portOption("tcp-port"), 8701)
    .option("--udp-port <port>", "UDP connection server", portOption("udp-port"), 8702)
    .option("--http-port <port>", "northbound API", portOption("http-port"), 8780)
    .option(
      "--seed <n>",
      "seed of the platform's tokens, keys and sequences (recorded in the report)",
      integerOption("seed", 0, 2147483647),
    )
    .option("--report-dir <dir>", "where the reports go (default reports/out/<timestamp>)")
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm certify --registry lab.csv --device 0000111122223333aaaabbbb --host 0.0.0.0\n" +
        "  hilfarm certify --registry examples/registry/lab.json --device 0000111122223333aaaabbbc --heartbeat 2 --report-dir reports/out/lock\n",
    )
    .action(async (options: CertifyOptions) => {
      const entry = (await loadRegistry(options.registry)).get(options.device);
      if (entry === undefined)
        throw new UsageError("device", `--device ${showValue(options.device)} is not in ${options.registry}`);
      const startedAt = new Date();
      const seed = options.seed ?? Math.floor(Math.random() * 2147483647);
      const dir = options.reportDir ?? defaultReportDir(startedAt);
      const capture = openCapture(join(dir, "evidence.jsonl"), { device: entry.deviceId, seed });
      const recorder = new EvidenceRecorder({ sink: (frame) => capture.write(frame) });
      setCurrentRecorder(recorder);
      const target = await externalDeviceTarget({
        device: {
          deviceId: entry.deviceId,
          pin: entry.pin,
          ...(entry.model === undefined ? {} : { model: entry.model }),
        },
        host: options.host,
        ports: {
          login: options.loginPort,
          tcp: options.tcpPort,
          udp: options.udpPort,
          http: options.httpPort,
        },
        heartbeatSeconds: options.heartbeat,
        seed,
      });
      const transports = new Set<string>();
      target.platform.events.on("session", ({ deviceId, transport }) => {
        if (deviceId === entry.deviceId) transports.add(transport);
      });
      const cases: CaseReport[] = [];
      try {
        const { login, tcp, udp, http } = target.platform.addresses;
        io.stdout.write(
          `${JSON.stringify({ event: "ready", login, tcp, udp, http, waitingFor: entry.deviceId })}\n`,
        );
        await runClauses(target, deviceClauses, (result, index) => {
          cases.push({
            ...result,
            ...(result.status === "fail" ? { timeline: recorder.timeline(target.clock.now()) } : {}),
          });
          io.stdout.write(
            `${JSON.stringify({ event: "clause", n: index + 1, of: deviceClauses.length, clause: result.clause, title: result.title, status: result.status, detail: result.detail, wallMs: Math.round(result.wallMs) })}\n`,
          );
        });
        if (options.transport !== undefined) {
          const seen = [...transports].join(", ") || "no connection";
          cases.push({
            clause: "5.4.2.2",
            title: `the device connects over ${options.transport}, as declared with --transport`,
            status: transports.has(options.transport) ? "pass" : "fail",
            detail: transports.has(options.transport)
              ? ""
              : `expected a ${options.transport} session; saw ${seen}`,
            wallMs: 0,
            targetMs: 0,
          });
        }
      } finally {
        await target.close();
        setCurrentRecorder(undefined);
        await capture.close();
      }
      const connect = target.frames.find((f) => f.direction === "in" && f.message.code === 1004)?.message
        .body as { devVersion?: string; model?: string } | undefined;
      const finishedAt = new Date();
      const evidence = recorder.evidence();
      const report: RunReport = {
        kind: "certification",
        title: `Certification of ${entry.deviceId}`,
        harness: harnessInfo(),
        command: `hilfarm ${process.argv.slice(2).join(" ")}`,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        wallMs: finishedAt.getTime() - startedAt.getTime(),
        seed: String(seed),
        target: target.description,
        device: {
          deviceId: entry.deviceId,
          ...((connect?.model ?? entry.model) ? { model: connect?.model ?? entry.model } : {}),
          ...(connect?.devVersion === undefined ? {} : { firmware: connect.devVersion }),
          ...(transports.size === 0 ? {} : { transport: [...transports].join(", ") }),
        },
        suites: [{ name: SUITE, file: "scenarios/conformance/device-clauses.ts", cases }],
        latencies: evidence.latencies,
        online: evidence.online.length > 1 ? [{ label: entry.deviceId, points: evidence.online }] : [],
        evidence: capture.path,
      };
      const written = await writeReports(dir, report);
      const t = totals(report);
      io.stdout.write(
        `${JSON.stringify({ event: "summary", verdict: t.failed > 0 ? "fail" : "pass", passed: t.passed, failed: t.failed, notApplicable: t.notApplicable, reports: written, evidence: capture.path })}\n`,
      );
      if (t.failed > 0) setExitCode(1);
    });
}
