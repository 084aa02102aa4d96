import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { RealClock } from "../../harness/clock/real-clock.ts";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { SerialLink } from "../../harness/link/serial/serial-link.ts";
import { parseSerialUrl } from "../../harness/link/serial/serial-url.ts";
import { createLogger } from "../../harness/log/logger.ts";
import { killAll, repoRoot, startHilfarm } from "../../harness/testing/child-process.ts";
import type { RunReport } from "../../reports/model.ts";
import { junitSchemaErrors } from "../../reports/validate-junit.ts";
import {
  backgroundFleetFile,
  certifyOutcome,
  startDeviceUnderTest,
} from "../conformance/testing/lab-certify.ts";
import { killPtyPairs, ptyPair as ptyPairIn, requireSocat } from "./testing/pty-pair.ts";

/**
 * A device on a UART, with a second OS process standing in for the hardware: socat makes a pseudo-terminal pair,
 * an emulated smart lock (`hilfarm devices --serial`) sits on one end, `hilfarm certify --serial` on the other.
 */
const LOCK = { deviceId: "0000111122223333aaaabbbc", pin: "QxA71p2Td8VKqxryo1nIj7BRd03Q2ybv" };
let dir: string;

beforeAll(async () => {
  requireSocat();
  dir = await mkdtemp(join(tmpdir(), "hilfarm-serial-"));
});

afterEach(() => {
  killAll();
  killPtyPairs();
});

const ptyPair = (name: string) => ptyPairIn(dir, name);

async function lockFleet(): Promise<string> {
  const fleet = join(dir, "lock-fleet.json");
  await writeFile(
    fleet,
    JSON.stringify({
      devices: [{ profile: "smart-lock", count: 1 }],
      registry: join(repoRoot, "examples/registry/lab.json"),
    }),
  );
  return fleet;
}

const certifyArgs = (port: string, reports: string, extra: string[] = []) => [
  "certify",
  "--registry",
  "examples/registry/lab.json",
  "--device",
  LOCK.deviceId,
  "--heartbeat",
  "2",
  ...["--login-port", "0", "--tcp-port", "0", "--udp-port", "0", "--http-port", "0"],
  "--serial",
  port,
  "--report-dir",
  reports,
  ...extra,
];

describe("serial links over a pseudo-terminal pair", () => {
  it("hilfarm certify --serial passes every clause for an emulated device in another process", async () => {
    const pty = await ptyPair("pass");
    const reports = join(dir, "pass-reports");
    const certify = startHilfarm(certifyArgs(`serial://${pty.lab}?baud=115200&transport=tcp`, reports));
    const ready = await certify.until("ready");
    expect(String(ready.link)).toMatch(/^serial:\/\/.*pass-lab\?baud=115200/);
    const device = startDeviceUnderTest(await lockFleet(), "--serial", pty.dev);
    const summary = await certify.until("summary");
    expect(await certifyOutcome(certify, reports, device)).toEqual({ exit: 0, failing: [] });
    expect(summary).toMatchObject({ verdict: "pass", passed: 10, failed: 0, notRun: 0 });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    expect(report.target).toContain("device link serial://");
    expect(await junitSchemaErrors(await readFile(join(reports, "junit.xml"), "utf8"))).toEqual([]);
  });

  it("hilfarm certify --serial --background-fleet: the device on a UART is certified beside 2,000 emulated devices", async () => {
    const pty = await ptyPair("loaded");
    const reports = join(dir, "loaded-reports");
    const background = await backgroundFleetFile(2_000);
    const certify = startHilfarm(
      certifyArgs(`serial://${pty.lab}?baud=115200&transport=tcp`, reports, [
        "--background-fleet",
        background,
      ]),
    );
    expect(await certify.until("background")).toMatchObject({ online: 2_000 });
    await certify.until("ready");
    const device = startDeviceUnderTest(await lockFleet(), "--serial", pty.dev);
    const summary = await certify.until("summary");
    expect(await certifyOutcome(certify, reports, device)).toEqual({ exit: 0, failing: [] });
    expect(summary).toMatchObject({
      verdict: "pass",
      passed: 11,
      failed: 0,
      background: { devices: 2_000, peakOnline: 2_000, lostDevices: 0 },
    });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    expect(report.target).toContain("device link serial://");
    expect(report.background?.devices).toBe(2_000);
  });

  it("pulling the port mid-run: a clear error, and a report that says where it stopped, with nothing recorded lost", async () => {
    const pty = await ptyPair("pull");
    const reports = join(dir, "pull-reports");
    const certify = startHilfarm(certifyArgs(pty.lab, reports, ["--replug-wait", "2"]));
    await certify.until("ready");
    startDeviceUnderTest(await lockFleet(), "--serial", pty.dev);
    // Clauses 1-4 pass (login, connect, reports after connect); then the cable comes out.
    for (let n = 0; n < 4; n++) expect(await certify.until("clause")).toMatchObject({ status: "pass" });
    await pty.unplug();
    const stopped = await certify.until("stopped");
    expect(String(stopped.reason)).toMatch(
      /serial port .*pull-lab was unplugged or closed; it did not come back within 2 s$/,
    );
    const summary = await certify.until("summary");
    expect(await certify.exited).toBe(1);
    expect(summary).toMatchObject({ verdict: "fail", passed: 4 });
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as RunReport;
    const cases = report.suites.flatMap((s) => s.cases);
    expect(cases.length).toBe(10);
    expect(cases.slice(0, 4).map((c) => c.status)).toEqual(["pass", "pass", "pass", "pass"]);
    const stoppedAt = cases.findIndex((c) => c.status === "fail");
    expect(cases[stoppedAt]?.detail).toMatch(/^stopped during this clause: serial port .* unplugged/);
    expect(cases.slice(stoppedAt + 1).every((c) => c.status === "not-run")).toBe(true);
    const html = await readFile(join(reports, "report.html"), "utf8");
    expect(html).toContain("not run (the run stopped)");
    // Every frame up to the pull is in the evidence file, decodable with the PIN.
    const evidence = (await readFile(join(reports, "evidence.jsonl"), "utf8")).trim().split("\n");
    const codes = new Set(evidence.slice(1).map((line) => (JSON.parse(line) as { code: number }).code));
    for (const code of [1002, 1003, 1004, 1005, 2006, 2007, 2022]) expect(codes).toContain(code);
  });

  it("hilfarm devices --serial outlives a pulled port and brings its device back when the port returns", async () => {
    const first = await ptyPair("devices");
    const platform = startHilfarm([
      "platform",
      "--registry",
      "examples/registry/lab.json",
      ...["--login-port", "0", "--tcp-port", "0", "--udp-port", "0", "--http-port", "0", "--no-mqtt"],
      "--heartbeat",
      "2",
      "--serial",
      first.lab,
      "--log-level",
      "warn",
    ]);
    const ready = await platform.until("ready");
    const online = async (): Promise<boolean> => {
      const response = await fetch(`${String(ready.http)}/api/devices/${LOCK.deviceId}`);
      return ((await response.json()) as { online: boolean }).online;
    };
    const waitFor = async (check: () => Promise<boolean>, what: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const devices = startHilfarm([
      "devices",
      "--fleet",
      await lockFleet(),
      "--serial",
      first.dev,
      "--log-level",
      "warn",
    ]);
    let exitCode: number | null | undefined;
    void devices.exited.then((code) => {
      exitCode = code;
    });
    await waitFor(online, "the lock to log in", 60_000);
    await first.unplug();
    await waitFor(async () => !(await online()), "the lock to go offline", 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(exitCode, `devices exited; stderr: ${devices.stderr.join("").slice(-2000)}`).toBeUndefined();
    await ptyPair("devices");
    // Both ends open the port again; the lock's login back-off brings it online within a minute.
    await waitFor(online, "the lock to log in again", 75_000);
    expect(exitCode).toBeUndefined();
  });

  it("a port that comes back is opened again and carries frames as before", async () => {
    const first = await ptyPair("replug");
    const logger = createLogger({ level: "silent" });
    const stream = await SerialLink.open(parseSerialUrl(first.lab), {
      clock: new RealClock(),
      logger,
      reopenMs: 50,
    });
    const events: string[] = [];
    const lines: string[] = [];
    stream.onDown(() => events.push("down"));
    stream.onUp(() => events.push("up"));
    stream.onLine((line) => lines.push(line.toString()));
    await first.unplug();
    await new Promise<void>((resolve) => {
      const check = () => (events.includes("down") ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(stream.up).toBe(false);
    const second = await ptyPair("replug");
    await new Promise<void>((resolve) => {
      const check = () => (events.includes("up") ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(events).toEqual(["down", "up"]);
    const device = await SerialLink.open(parseSerialUrl(second.dev), {
      clock: new RealClock(),
      logger,
    });
    device.send(Buffer.from('CTS{"code":1000,"token":"t","data":"AAAA"}'));
    await new Promise<void>((resolve) => {
      const check = () => (lines.length > 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(lines).toEqual(['CTS{"code":1000,"token":"t","data":"AAAA"}']);
    await device.close();
    await stream.close();
  });

  it("closed while an attempt to open the port again is failing: no timer is left behind", async () => {
    const pty = await ptyPair("close-reopen");
    const clock = new VirtualClock();
    const stream = await SerialLink.open(parseSerialUrl(pty.lab), {
      clock,
      logger: createLogger({ level: "silent" }),
      reopenMs: 50,
    });
    let down = false;
    stream.onDown(() => {
      down = true;
    });
    await pty.unplug();
    for (let i = 0; i < 200 && !down; i++) {
      clock.advance(50);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(down).toBe(true);
    expect(clock.timerCount("serial-reopen")).toBe(1);
    // The reopen timer fires and an open of the missing port is under way; close before it fails.
    clock.advance(50);
    await stream.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(clock.timerCount("serial-reopen")).toBe(0);
  });

  it("says clearly when the port is missing or busy", async () => {
    const clock = new RealClock();
    const logger = createLogger({ level: "silent" });
    await expect(SerialLink.open(parseSerialUrl(join(dir, "nothing")), { clock, logger })).rejects.toThrow(
      /^serial port .*nothing not found: is the USB adapter plugged in\?/,
    );
    const pty = await ptyPair("busy");
    const held = await SerialLink.open(parseSerialUrl(pty.lab), { clock, logger });
    await expect(SerialLink.open(parseSerialUrl(pty.lab), { clock, logger })).rejects.toThrow(
      /^serial port .*busy-lab is busy: another program has it open/,
    );
    await held.close();
  });
});
