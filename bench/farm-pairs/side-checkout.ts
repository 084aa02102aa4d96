import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { revisionOf } from "../revision.ts";
import { checkoutSetting } from "../settings.ts";

/** The checkout a side's runs come from: its directory and its commit (`revisionOf`). */
export interface SideCheckout {
  dir: string;
  revision: string;
}

/**
 * The checkout named by `name` (`BENCH_PAIRS_A_CHECKOUT`, `BENCH_PAIRS_B_CHECKOUT`), or undefined when unset: that
 * side then runs this checkout's bench:farm. A checkout whose bench:farm cannot hand its figures over as JSON
 * (`BENCH_FARM_SUMMARY`, which bench:farm reads since bench:farm-pairs came) is refused before any run.
 */
export function sideCheckout(name: string): SideCheckout | undefined {
  const dir = checkoutSetting(name);
  if (dir === undefined) return undefined;
  const bench = join(dir, "bench/farm.bench.ts");
  if (!existsSync(bench) || !readFileSync(bench, "utf8").includes("BENCH_FARM_SUMMARY"))
    throw new Error(
      `${name}: the bench:farm of ${dir} (${revisionOf(dir)}) does not read BENCH_FARM_SUMMARY, so it cannot hand its figures to bench:farm-pairs: check out a commit from 1ae0130 on there`,
    );
  return { dir, revision: revisionOf(dir) };
}
