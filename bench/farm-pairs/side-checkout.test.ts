import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { revisionOf } from "../revision.ts";
import { sideCheckout } from "./side-checkout.ts";

afterEach(() => vi.unstubAllEnvs());

describe("a side's checkout", () => {
  it("is this checkout when unset, another one's directory and commit when named", () => {
    expect(sideCheckout("BENCH_PAIRS_B_CHECKOUT")).toBeUndefined();
    const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
    vi.stubEnv("BENCH_PAIRS_B_CHECKOUT", root);
    expect(sideCheckout("BENCH_PAIRS_B_CHECKOUT")).toEqual({ dir: root, revision: revisionOf(root) });
  });

  it("is refused, named, when its bench:farm cannot hand over its figures", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-old-checkout-"));
    try {
      await mkdir(join(dir, "bin"));
      await mkdir(join(dir, "bench"));
      await mkdir(join(dir, "node_modules"));
      await writeFile(join(dir, "bin/hilfarm.mjs"), "");
      await writeFile(join(dir, "bench/farm.bench.ts"), "await writeBenchmarkSection(section, lines);\n");
      vi.stubEnv("BENCH_PAIRS_A_CHECKOUT", dir);
      expect(() => sideCheckout("BENCH_PAIRS_A_CHECKOUT")).toThrow(
        `BENCH_PAIRS_A_CHECKOUT: the bench:farm of ${dir} (not a git checkout) does not read BENCH_FARM_SUMMARY, so it cannot hand its figures to bench:farm-pairs: check out a commit from 1ae0130 on there`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
