import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, startHilfarm } from "../../../harness/testing/child-process.ts";

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
