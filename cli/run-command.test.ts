import { access, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killAll, repoRoot, runHilfarm } from "../harness/testing/child-process.ts";
import type { RunReport } from "../reports/model.ts";
import { junitSchemaErrors } from "../reports/validate-junit.ts";

afterEach(killAll);

const reportDir = async () => join(await mkdtemp(join(tmpdir(), "hilfarm-run-")), "out");

describe("hilfarm run", () => {
  it("runs scenarios/timing and writes the three reports: JUnit valid against the schema, JSON, HTML", async () => {
    const dir = await reportDir();
    const run = await runHilfarm(["run", "scenarios/timing", "--seed", "7", "--report-dir", dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^hilfarm run: seed 7 /);
    expect(run.stdout).toMatch(/scenarios\/timing\/connection\.test\.ts: 7 passed, 0 failed/);
    expect(run.stdout).toMatch(/PASS: 21 passed, 0 failed, 0 not applicable/);
    const xml = await readFile(join(dir, "junit.xml"), "utf8");
    expect(await junitSchemaErrors(xml)).toEqual([]);
    expect(xml.match(/<testcase /g)?.length).toBe(21);
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as RunReport;
    expect(report).toMatchObject({ kind: "run", seed: "7", harness: { name: "hilfarm" } });
    expect(report.suites.flatMap((s) => s.cases).every((c) => c.status === "pass" && c.clause !== "")).toBe(
      true,
    );
    expect(report.latencies.login.length).toBeGreaterThan(10);
    const html = await readFile(join(dir, "report.html"), "utf8");
    expect(html.match(/<tr class="case pass"/g)?.length).toBe(21);
  }, 60_000);

  it("exits 1 on a failing clause, whose report carries its frame timeline; --evidence records every frame", async () => {
    const dir = await reportDir();
    const run = await runHilfarm([
      "run",
      "scenarios/conformance/platform-target.test.ts",
      "--target",
      "emulated?offline-heartbeats=2",
      "--grep",
      "5\\.4\\.2\\.3",
      "--report-dir",
      dir,
      "--evidence",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL: 1 passed, 1 failed, 0 not applicable/);
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as RunReport;
    const failed = report.suites.flatMap((s) => s.cases).filter((c) => c.status === "fail");
    expect(failed.map((c) => [c.clause, c.detail])).toEqual([
      ["5.4.2.3", "expected offline after 100000 ms of silence; saw offline after 70000 ms"],
    ]);
    expect(failed[0]?.timeline?.frames.map((f) => f.code)).toEqual([1002, 1003, 1004, 1005]);
    expect(report.target).toBe("emulated?offline-heartbeats=2");
    expect(await junitSchemaErrors(await readFile(join(dir, "junit.xml"), "utf8"))).toEqual([]);
    const html = await readFile(join(dir, "report.html"), "utf8");
    expect(html).toContain('<section class="failure" id="failure-1">');
    const [suiteDir] = await readdir(join(dir, "evidence"));
    expect((await readdir(join(dir, "evidence", suiteDir ?? ""))).length).toBe(2);
  }, 60_000);

  it("with someone else's target, suites that need hilfarm's own on virtual time are not applicable, with the reason", async () => {
    const dir = await reportDir();
    const run = await runHilfarm([
      "run",
      "scenarios/timing/requests.test.ts",
      "--target",
      "tcp://127.0.0.1:9",
      "--registry",
      "examples/registry/lab.json",
      "--report-dir",
      dir,
    ]);
    // Nothing applicable ran: not a pass.
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/NOTHING RAN: 0 passed, 0 failed, 6 not applicable/);
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as RunReport;
    const cases = report.suites.flatMap((s) => s.cases);
    expect(cases.length).toBe(6);
    expect(new Set(cases.map((c) => `${c.status}: ${c.detail}`))).toEqual(
      new Set([
        "not-applicable: needs hilfarm's own platform and devices on virtual time; the target is tcp://127.0.0.1:9",
      ]),
    );
  }, 60_000);

  it("names in --help only suites and files that exist", async () => {
    const help = await runHilfarm(["run", "--help"]);
    expect(help.code).toBe(0);
    const paths = [...new Set(help.stdout.match(/\bscenarios(?:\/[\w.-]+)*\/?/g) ?? [])];
    const missing: string[] = [];
    for (const path of paths) {
      await access(join(repoRoot, path)).catch(() => missing.push(path));
    }
    expect(missing).toEqual([]);
    // The pattern finds the file examples, not only directories.
    expect(paths).toContain("scenarios/conformance/platform-target.test.ts");
  });

  it("exits 2 with a one-line cause on a usage error", async () => {
    const missing = await runHilfarm(["run", "scenarios/nowhere"]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'hilfarm: no such suite or file: "scenarios/nowhere"\n',
    ]);
    const grep = await runHilfarm(["run", "scenarios/timing", "--grep", "("]);
    expect([grep.code, grep.stderr]).toEqual([2, 'hilfarm: --grep "(" is not a regular expression\n']);
    const target = await runHilfarm(["run", "scenarios/timing", "--target", "emulated?speed=9"]);
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(/^hilfarm: unknown setting "speed" in "emulated\?speed=9"; known: /);
    const registry = await runHilfarm(["run", "scenarios/timing", "--target", "tcp://192.0.2.1:8700"]);
    expect([registry.code, registry.stderr]).toEqual([
      2,
      'hilfarm: --target "tcp://192.0.2.1:8700" needs --registry: the devices that platform knows\n',
    ]);
  });
});
