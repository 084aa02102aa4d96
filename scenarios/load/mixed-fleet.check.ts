import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LoadReport } from "../../emulators/farm/load-report.ts";
import { killAll, startHilfarm } from "../../harness/testing/child-process.ts";
import { killPtyPairs, ptyPair, requireSocat } from "../serial/testing/pty-pair.ts";

/**
 * A platform team's few real devices in a load test: a mixed fleet file lists them beside the emulated ones. Here one
 * "real" lock is an emulated device in another process over the network, the other sits at the end of a
 * pseudo-terminal pair (a UART); `hilfarm load` provisions the platform with both, bridges the UART, and reports
 * them first, marked, with how often each was online.
 */
const NETWORK_LOCK = {
  deviceId: "0000111122223333aaaa0101",
  pin: "NetLockPin0123456789abcdefghijkl",
  model: "LOCK-01",
};
const SERIAL_LOCK = {
  deviceId: "0000111122223333aaaa0102",
  pin: "UartLockPin0123456789abcdefghijk",
  model: "LOCK-01",
};

let dir: string;

beforeAll(async () => {
  requireSocat();
  dir = await mkdtemp(join(tmpdir(), "hilfarm-mixed-load-"));
});

afterEach(() => {
  killAll();
  killPtyPairs();
});

/** A fleet file running one lock with the credentials of `lock` (the stand-in for a real device). */
async function standIn(name: string, lock: typeof NETWORK_LOCK): Promise<string> {
  const registry = join(dir, `${name}-registry.json`);
  await writeFile(registry, JSON.stringify({ devices: [lock] }));
  const fleet = join(dir, `${name}-fleet.json`);
  await writeFile(
    fleet,
    JSON.stringify({
      devices: [{ profile: "smart-lock", count: 1 }],
      registry,
      transport: "tcp",
      lan: { enabled: false },
    }),
  );
  return fleet;
}

describe("hilfarm load with a mixed fleet", () => {
  it("real devices over the network and over a UART beside 200 emulated ones: reported first, marked, online", async () => {
    const pty = await ptyPair(dir, "load");
    const fleet = join(dir, "mixed.json");
    await writeFile(
      fleet,
      JSON.stringify({
        seed: 3,
        devices: [{ profile: "three-gang-switch", count: 200 }],
        real: [
          { ...NETWORK_LOCK, attach: "network" },
          { ...SERIAL_LOCK, attach: `serial://${pty.lab}?baud=115200&transport=tcp` },
        ],
        lan: { enabled: false },
      }),
    );
    const reports = join(dir, "reports");
    const load = startHilfarm([
      "load",
      "--fleet",
      fleet,
      "--ramp",
      "200",
      "--steady",
      "12",
      "--heartbeat",
      "2",
      "--ramp-hold",
      "250",
      "--report-dir",
      reports,
    ]);
    const started = await load.until("load-started");
    expect(started.real).toEqual([
      {
        deviceId: NETWORK_LOCK.deviceId,
        real: true,
        attach: `network: logs in to ${String(started.platform)}`,
      },
      { deviceId: SERIAL_LOCK.deviceId, real: true, attach: `serial://${pty.lab}?baud=115200&transport=tcp` },
    ]);
    startHilfarm([
      "devices",
      "--fleet",
      await standIn("network", NETWORK_LOCK),
      "--platform",
      String(started.platform),
      "--log-level",
      "warn",
    ]);
    startHilfarm([
      "devices",
      "--fleet",
      await standIn("serial", SERIAL_LOCK),
      "--serial",
      pty.dev,
      "--log-level",
      "warn",
    ]);
    const finished = await load.until("load-finished");
    expect(await load.exited).toBe(0);
    expect(finished.real).toEqual([
      { deviceId: NETWORK_LOCK.deviceId, onlineAtEnd: true },
      { deviceId: SERIAL_LOCK.deviceId, onlineAtEnd: true },
    ]);
    const report = JSON.parse(await readFile(join(reports, "report.json"), "utf8")) as LoadReport;
    expect(report.totals.onlineAtEnd).toBe(200);
    // The run's hold (--ramp-hold) is the one its report names.
    expect(report.profile.rampHold).toBe(250);
    expect(report.real?.map((d) => [d.deviceId, d.real, d.model, d.onlineAtEnd])).toEqual([
      [NETWORK_LOCK.deviceId, true, "LOCK-01", true],
      [SERIAL_LOCK.deviceId, true, "LOCK-01", true],
    ]);
    expect(report.real?.every((d) => (d.onlineShare ?? 0) > 0.3)).toBe(true);
    // Both real devices are sessions of the platform besides the emulated fleet.
    expect(report.platform?.sessionsOnline).toBe(202);
    const html = await readFile(join(reports, "report.html"), "utf8");
    expect(html.indexOf('<section id="real-devices">')).toBeLessThan(html.indexOf('<section id="summary">'));
    expect(html).toContain(`${NETWORK_LOCK.deviceId} <b>(real)</b>`);
  }, 120_000);
});
