import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordLockSession } from "../emulators/replay/testing/lock-session.ts";
import {
  FREE_PORTS,
  killAll,
  runHilfarm,
  startHilfarm,
  startPlatformProcess,
} from "../harness/testing/child-process.ts";
import type { RunReport } from "../reports/model.ts";
import { killPtyPairs, ptyPair, requireSocat } from "../scenarios/serial/testing/pty-pair.ts";

// Real time: the recorded lock session lasts 41 s, and a replay against a process keeps its gaps.
let dir: string;
let evidence: string;
let registry: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-replay-check-"));
  evidence = join(dir, "lock-session.jsonl");
  const lock = await recordLockSession(evidence);
  registry = join(dir, "registry.json");
  await writeFile(registry, JSON.stringify({ devices: [{ ...lock, model: "LOCK-01" }] }));
});
afterAll(() => {
  killAll();
  killPtyPairs();
});

const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.concurrent("hilfarm replay against processes, on real time", () => {
  it("the device's side against `hilfarm platform` passes, and against `hilfarm platform --offline-heartbeats 2` fails at the heartbeat after the silence", async () => {
    const conforming = startPlatformProcess(registry, "--heartbeat", "5", "--log-level", "error");
    const deviating = startPlatformProcess(
      registry,
      "--heartbeat",
      "5",
      "--offline-heartbeats",
      "2",
      "--log-level",
      "error",
    );
    const [a, b] = await Promise.all([conforming.until("ready"), deviating.until("ready")]);
    const replay = (login: unknown, out: string) =>
      runHilfarm([
        "replay",
        "--evidence",
        evidence,
        "--platform",
        String(login),
        "--registry",
        registry,
        "--report-dir",
        join(dir, out),
      ]);
    const [pass, fail] = await Promise.all([replay(a.login, "conforming"), replay(b.login, "deviating")]);
    expect(pass.stderr).toBe("");
    expect(pass.code).toBe(0);
    expect(lines(pass.stdout).at(-1)).toMatchObject({ verdict: "pass", passed: 11, failed: 0 });
    expect(fail.code).toBe(1);
    const differences = lines(fail.stdout).filter((l) => l.event === "difference");
    expect(differences[0]).toEqual({
      event: "difference",
      title: expect.stringMatching(/^line \d+: 1000 HeartbeatRequest -> 1001 HeartbeatResponse$/),
      detail: expect.stringMatching(
        /^no 1001 HeartbeatResponse: not sent: the platform closed the connection at \+3[23]\.\d s/,
      ),
    });
    const report = JSON.parse(await readFile(join(dir, "deviating", "report.json"), "utf8")) as RunReport;
    expect(report.target).toBe(`platform at ${String(b.login)} (real time)`);
  }, 120_000);

  it("the platform's side against a device in another process (`hilfarm devices`) that logs in to the replay's platform", async () => {
    const fleet = join(dir, "lock-fleet.json");
    await writeFile(
      fleet,
      JSON.stringify({
        devices: [{ profile: "smart-lock", count: 1 }],
        transport: "tcp",
        lan: { enabled: false },
      }),
    );
    const replay = startHilfarm([
      "replay",
      "--evidence",
      evidence,
      "--device",
      "wait",
      "--registry",
      registry,
      "--wait",
      "30",
      ...FREE_PORTS,
      "--report-dir",
      join(dir, "device"),
    ]);
    const ready = await replay.until("ready");
    const device = startHilfarm([
      "devices",
      "--fleet",
      fleet,
      "--platform",
      String(ready.login),
      "--log-level",
      "error",
    ]);
    const summary = await replay.until("summary");
    device.child.kill("SIGTERM");
    expect(summary).toMatchObject({ verdict: "pass", passed: 7, failed: 0 });
    expect(await replay.exited).toBe(0);
  }, 120_000);

  it("the platform's side against a device on a UART (a pseudo-terminal pair), bridged with --serial", async () => {
    requireSocat();
    const pty = await ptyPair(dir, "replay");
    const fleet = join(dir, "uart-lock-fleet.json");
    await writeFile(
      fleet,
      JSON.stringify({
        devices: [{ profile: "smart-lock", count: 1 }],
        transport: "tcp",
        lan: { enabled: false },
      }),
    );
    const replay = startHilfarm([
      ...["replay", "--evidence", evidence, "--device", "wait", "--registry", registry, "--wait", "30"],
      ...["--serial", `serial://${pty.lab}?baud=115200&transport=tcp`, ...FREE_PORTS],
      ...["--report-dir", join(dir, "uart")],
    ]);
    await replay.until("ready");
    const device = startHilfarm(["devices", "--fleet", fleet, "--serial", pty.dev, "--log-level", "error"]);
    const summary = await replay.until("summary");
    device.child.kill("SIGTERM");
    expect(summary).toMatchObject({ verdict: "pass", passed: 7, failed: 0 });
    const report = JSON.parse(await readFile(join(dir, "uart", "report.json"), "utf8")) as RunReport;
    expect(report.target).toMatch(/, serial:\/\/.*replay-lab\?baud=115200.* \(real time\)$/);
  }, 120_000);
});
