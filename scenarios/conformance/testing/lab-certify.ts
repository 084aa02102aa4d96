import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningProcess, repoRoot, startHilfarm } from "../../../harness/testing/child-process.ts";
import type { RunReport } from "../../../reports/model.ts";

/** The lab registry's smart lock: hilfarm's own, run by `hilfarm devices` as the device under test. */
export const LAB_LOCK = "0000111122223333aaaabbbc";

/**
 * `hilfarm certify` of the lab registry's smart lock (heartbeat 2 s, free ports, reports in a new directory), with
 * `extra` options; and the fleet file that runs that lock in another process.
 */
export async function certifyLabLock(
  extra: string[],
): Promise<{ certify: ReturnType<typeof startHilfarm>; fleet: string; reports: string }> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-dut-"));
  const fleet = join(dir, "fleet.json");
  const reports = join(dir, "reports");
  await writeFile(
    fleet,
    JSON.stringify({
      devices: [{ profile: "smart-lock", count: 1 }],
      registry: join(repoRoot, "examples/registry/lab.json"),
    }),
  );
  const certify = startHilfarm([
    "certify",
    ...["--registry", "examples/registry/lab.json", "--device", LAB_LOCK, "--heartbeat", "2"],
    ...["--login-port", "0", "--tcp-port", "0", "--udp-port", "0", "--http-port", "0"],
    ...extra,
    ...["--report-dir", reports],
  ]);
  return { certify, fleet, reports };
}

/** `hilfarm devices` running the fleet file's device under test in another process, attached as `attach` says. */
export const startDeviceUnderTest = (fleet: string, ...attach: string[]): RunningProcess =>
  startHilfarm(["devices", "--fleet", fleet, ...attach, "--log-level", "warn"]);

/** A background fleet of `count` emulated devices (switches and locks, TCP, no LAN sides) for certify under load. */
export async function backgroundFleetFile(count = 2_000): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "hilfarm-background-")), "background.json");
  const locks = Math.floor(count / 10);
  await writeFile(
    file,
    JSON.stringify({
      seed: 9,
      devices: [
        { profile: "three-gang-switch", count: count - locks },
        { profile: "smart-lock", count: locks },
      ],
      transport: "tcp",
      lan: { enabled: false },
    }),
  );
  return file;
}

/**
 * The certify process's exit code with the report's failing cases (clause, title, detail), so that a check that
 * expects a pass shows why a run failed instead of only its exit code; when it failed, the last lines each process
 * (certify, then `others`, such as the device's) wrote to stderr come with it.
 */
export async function certifyOutcome(
  certify: RunningProcess,
  reports: string,
  ...others: RunningProcess[]
): Promise<{
  exit: number | null;
  failing: { clause: string; title: string; detail: string }[];
  stderr?: string[];
}> {
  const exit = await certify.exited;
  const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
  const failing = report.suites
    .flatMap((s) => s.cases)
    .filter((c) => c.status === "fail" || c.status === "not-run")
    .map((c) => ({ clause: c.clause, title: c.title, detail: c.detail }));
  if (exit === 0 && failing.length === 0) return { exit, failing };
  const stderr = [certify, ...others].map((p) => p.stderr.join("").slice(-4000));
  return { exit, failing, stderr };
}
