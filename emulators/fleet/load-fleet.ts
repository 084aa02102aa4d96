import { loadRegistry } from "../platform/registry/index.ts";
import { loadProfiles } from "../profiles/load.ts";
import { loadFleetFile } from "./fleet-file.ts";
import { type FleetPlan, planFleet } from "./fleet-plan.ts";

/** A fleet file, its profiles and (if it names one) its registry, expanded into a plan. */
export async function loadFleetPlan(path: string, seed?: number): Promise<FleetPlan> {
  const file = await loadFleetFile(path);
  const profiles = await loadProfiles(file.profiles);
  const registry = file.registry === undefined ? undefined : await loadRegistry(file.registry);
  return planFleet(seed === undefined ? file : { ...file, seed }, profiles, registry);
}
