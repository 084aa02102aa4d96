import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fleetRegistryJson } from "../emulators/fleet/fleet-plan.ts";
import { loadFleetPlan } from "../emulators/fleet/load-fleet.ts";

/**
 * A fleet file `name` in `dir` of `count` three-gang switches (seed 19), as the start-up benchmarks use: ids and PINs
 * from the seed, or from the registry file `registry`.
 */
export async function switchFleetFile(
  dir: string,
  name: string,
  count: number,
  registry?: string,
): Promise<string> {
  const file = join(dir, name);
  const devices = [{ profile: "three-gang-switch", count }];
  await writeFile(
    file,
    JSON.stringify({ seed: 19, devices, ...(registry === undefined ? {} : { registry }) }),
  );
  return file;
}

/** The registry of a seeded fleet of `count` switches in `dir`, as `hilfarm registry --fleet` writes it. */
export async function switchRegistryFile(dir: string, count: number): Promise<string> {
  const file = join(dir, `registry-${count}.json`);
  const plan = await loadFleetPlan(await switchFleetFile(dir, `seeded-${count}.json`, count));
  await writeFile(file, fleetRegistryJson(plan));
  return file;
}
