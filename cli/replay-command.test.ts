import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { recordLockSession } from "../emulators/replay/testing/lock-session.ts";
import { repoRoot } from "../harness/repo-root.ts";
import type { RunReport } from "../reports/model.ts";
import { junitSchemaErrors } from "../reports/validate-junit.ts";
import { runCli } from "./testing/cli-run.ts";

let dir: string;
let evidence: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-replay-"));
  evidence = join(dir, "lock-session.jsonl");
  await recordLockSession(evidence);
});

const readReport = async (out: string) =>
  JSON.parse(await readFile(join(out, "report.json"), "utf8")) as RunReport;

describe("hilfarm replay", () => {
  it("--platform emulated: a recorded lock session's device side against hilfarm's platform passes; reports written", async () => {
    const out = join(dir, "against-platform");
    const run = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--platform",
      "emulated",
      "--report-dir",
      out,
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toMatchObject({
      event: "summary",
      verdict: "pass",
      passed: 11,
      failed: 0,
      notApplicable: 2,
    });
    const report = await readReport(out);
    expect(report).toMatchObject({
      kind: "replay",
      target: expect.stringMatching(/virtual time \(heartBeat 5 s\)/),
    });
    const login = report.suites[0]?.cases[0];
    expect(login?.title).toMatch(/^line 3: 1002 LoginRequest -> 1003 LoginResponse$/);
    // The new session's keys are in the replayed 1003, masked in the report as in the recording.
    expect(login?.comparison?.replayed[1]?.body).toMatchObject({ sessionKey: "[redacted]" });
    expect(await readFile(join(out, "report.json"), "utf8")).not.toMatch(/"sessionKey":"(?!\[redacted\])/);
    expect(await junitSchemaErrors(await readFile(join(out, "junit.xml"), "utf8"))).toEqual([]);
  }, 60_000);

  it("--device emulated: the platform's side against an emulated lock passes; with refuseKeyOrders it fails at the key order, field named", async () => {
    const good = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--device",
      "emulated",
      "--report-dir",
      join(dir, "good"),
    ]);
    expect(good.code).toBe(0);
    expect(good.lines.at(-1)).toMatchObject({ verdict: "pass", passed: 7, failed: 0 });
    expect((await readReport(join(dir, "good"))).target).toBe("emulated smart-lock on virtual time");

    const out = join(dir, "refusing");
    const run = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--device",
      "emulated",
      "--misbehaviour",
      "refuseKeyOrders",
      "--report-dir",
      out,
    ]);
    expect(run.code).toBe(1);
    const differences = run.lines.filter((l) => l.event === "difference");
    expect(differences).toEqual([
      {
        event: "difference",
        title: expect.stringMatching(
          /^line \d+: 2031 ResourceManagementRequest -> 2030 ResourceManagementResponse$/,
        ),
        detail: 'result: recorded 0, got 899999; dscp: recorded absent, got "key store full" (rule any)',
      },
      // The refused key is never stored, so the lock sends no resource report either.
      {
        event: "difference",
        title: expect.stringMatching(/2028 ResourceChangeReportRequest \(sent by the device\)$/),
        detail: expect.stringMatching(/the device sent no 2028 ResourceChangeReportRequest/),
      },
    ]);
    const failure = (await readReport(out)).suites[0]?.cases.find((c) => c.status === "fail");
    expect(failure?.comparison?.recorded[1]?.body).toMatchObject({ result: 0 });
    expect(failure?.comparison?.replayed[1]?.body).toMatchObject({ result: 899999 });
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain('<table class="timeline comparison">');
    expect(html).toContain("result: recorded 0, got 899999");
    const junit = await readFile(join(out, "junit.xml"), "utf8");
    expect(junit).toMatch(/Recorded:[\s\S]*2030 ResourceManagementResponse[\s\S]*Replayed:[\s\S]*899999/);
  }, 60_000);

  it("--match extends the rules per run: a field that differs by design passes", async () => {
    const strict = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--platform",
      "emulated",
      "--heartbeat",
      "30",
      "--report-dir",
      join(dir, "hb"),
    ]);
    expect(strict.code).toBe(1);
    expect(strict.lines.find((l) => l.event === "difference")).toMatchObject({
      detail: "heartBeat: recorded 5, got 30",
    });
    const ruled = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--platform",
      "emulated",
      "--heartbeat",
      "30",
      "--match",
      "1005.heartBeat=any",
      "--report-dir",
      join(dir, "hb2"),
    ]);
    expect(ruled.code).toBe(0);
  }, 60_000);

  it("a capture from another tool, turned into evidence by hilfarm frame to-evidence, replays", async () => {
    const converted = join(dir, "capture.jsonl");
    const convert = await runCli([
      "frame",
      "to-evidence",
      "--pin",
      "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6",
      "--out",
      converted,
      join(repoRoot, "examples/captures/login-session.frames"),
    ]);
    expect(convert.lines).toEqual([{ event: "written", evidence: converted, frames: 10, problems: 0 }]);
    const run = await runCli([
      "replay",
      "--evidence",
      converted,
      "--platform",
      "emulated",
      "--report-dir",
      join(dir, "capture"),
    ]);
    expect(run.lines.at(-1)).toMatchObject({ verdict: "pass", passed: 4, notApplicable: 1 });
  }, 60_000);

  it("usage errors name the option and the value", async () => {
    const neither = await runCli(["replay", "--evidence", evidence]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give --platform <emulated\|host:port> or --device <emulated\|wait>/);
    const badRule = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--platform",
      "emulated",
      "--match",
      "heartBeat=maybe",
    ]);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toMatch(/--match "heartBeat=maybe"/);
    const noPin = await runCli(["replay", "--evidence", evidence, "--platform", "127.0.0.1:9"]);
    expect(noPin.stderr).toMatch(/give --registry with device \w+ \(its PIN: recordings mask it\)/);
    const badFault = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--device",
      "emulated",
      "--misbehaviour",
      "explode",
    ]);
    expect(badFault.stderr).toMatch(/--misbehaviour "explode": not a fault switch/);
    const serialAlone = await runCli([
      "replay",
      "--evidence",
      evidence,
      "--platform",
      "emulated",
      "--serial",
      "/dev/ttyUSB0",
    ]);
    expect(serialAlone.stderr).toMatch(/--serial and --mqtt-link go with --device wait/);
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, `${(await readFile(evidence, "utf8")).split("\n")[0]}\n{"at":"soon"}\n`);
    const badFile = await runCli(["replay", "--evidence", bad, "--platform", "emulated"]);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toMatch(/bad.jsonl: line 2: at: .*\(got "soon"\)/);
  }, 60_000);
});
