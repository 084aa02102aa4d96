import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FREE_PORTS, killAll, runHilfarm, startHilfarm } from "../harness/testing/child-process.ts";
import type { RunReport } from "../reports/model.ts";

afterEach(killAll);

const base = ["certify", "--registry", "examples/registry/lab.json", "--device", "0000111122223333aaaabbbc"];
const anyPorts = FREE_PORTS;

describe("hilfarm certify", () => {
  it("Ctrl-C stops the run: the clause under way fails, the rest are not run, the reports are written", async () => {
    const work = await mkdtemp(join(tmpdir(), "hilfarm-certify-"));
    const reports = join(work, "out");
    const log = join(work, "certify.log");
    const certify = startHilfarm([...base, ...anyPorts, "--report-dir", reports, "--log-file", log]);
    await certify.until("ready");
    certify.child.kill("SIGINT");
    expect(await certify.until("stopped")).toMatchObject({ reason: "interrupted (SIGINT)" });
    expect(await certify.until("summary")).toMatchObject({
      verdict: "fail",
      passed: 0,
      failed: 1,
      notRun: 9,
    });
    expect(await certify.exited).toBe(1);
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    const cases = report.suites.flatMap((s) => s.cases);
    expect(cases[0]).toMatchObject({
      status: "fail",
      detail: "stopped during this clause: interrupted (SIGINT)",
    });
    expect(cases.slice(1).every((c) => c.status === "not-run")).toBe(true);
    // --log-file: the logs went to the file, not to stderr.
    expect(await readFile(log, "utf8")).toMatch(/"name":"certify".*"msg":"platform ready/);
    expect(certify.stderr.join("")).not.toContain('"level":');
    expect((await readdir(reports)).sort()).toEqual([
      "evidence.jsonl",
      "junit.xml",
      "report.html",
      "report.json",
    ]);
  });

  it("a login port in use is a one-line usage error (exit 2) that leaves no files behind", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    const reports = join(await mkdtemp(join(tmpdir(), "hilfarm-certify-")), "out");
    try {
      const run = await runHilfarm([
        ...base,
        ...anyPorts,
        "--login-port",
        String(port),
        "--report-dir",
        reports,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(`^hilfarm: cannot listen on tcp 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`),
      );
      await expect(readdir(reports)).rejects.toThrow(/ENOENT/);
    } finally {
      holder.close();
    }
  });

  it("refuses a device the registry does not hold, and two links at once", async () => {
    const unknown = await runHilfarm([
      "certify",
      "--registry",
      "examples/registry/lab.json",
      "--device",
      "ffff",
    ]);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'hilfarm: --device "ffff" is not in examples/registry/lab.json\n',
    ]);
    const both = await runHilfarm([...base, "--serial", "/dev/null", "--mqtt-link", "embedded"]);
    expect([both.code, both.stderr]).toEqual([
      2,
      "hilfarm: give --serial or --mqtt-link, not both: a device has one link\n",
    ]);
  });

  it("takes the device's LAN addresses together or not at all, each a host:port", async () => {
    const alone = await runHilfarm([...base, "--lan-discovery", "127.0.0.1:7680"]);
    expect([alone.code, alone.stderr]).toEqual([
      2,
      "hilfarm: give --lan-discovery and --lan-control together: the device's LAN discovery and control addresses\n",
    ]);
    const bad = await runHilfarm([
      ...base,
      "--lan-discovery",
      "127.0.0.1",
      "--lan-control",
      "127.0.0.1:7681",
    ]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'hilfarm: --lan-discovery must be host:port, got "127.0.0.1"\n',
    ]);
  });

  it("with LAN addresses, the Md clauses follow the Mc ones and have their rows in the certification report", async () => {
    const reports = join(await mkdtemp(join(tmpdir(), "hilfarm-certify-")), "out");
    const lan = ["--lan-discovery", "127.0.0.1:7680", "--lan-control", "127.0.0.1:7681"];
    const certify = startHilfarm([...base, ...anyPorts, ...lan, "--report-dir", reports]);
    expect(await certify.until("ready")).toMatchObject({
      lan: { discovery: "127.0.0.1:7680", control: "127.0.0.1:7681" },
    });
    // Stopped at once: the first Mc clause fails, every other clause of both suites is reported not run.
    certify.child.kill("SIGINT");
    expect(await certify.until("summary")).toMatchObject({ verdict: "fail", failed: 1, notRun: 26 });
    expect(await certify.exited).toBe(1);
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    expect(report.suites.map((s) => [s.name, s.file, s.cases.length])).toEqual([
      ["device under test (5.2, 5.4.2, 5.4.3)", "scenarios/conformance/device-clauses.ts", 10],
      ["device LAN side, Md (6.2.1-6.2.6)", "scenarios/conformance/lan-clauses.ts", 17],
    ]);
    const lanCases = report.suites[1]?.cases ?? [];
    expect(lanCases.map((c) => c.clause)).toContain("6.2.6");
    expect(lanCases.every((c) => c.status === "not-run")).toBe(true);
  });
});
