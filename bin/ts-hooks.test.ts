import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Load = (
  url: string,
  context: object,
  nextLoad: () => never,
) => Promise<{ format: string; source: string; shortCircuit: boolean }>;

const nextLoad = (): never => {
  throw new Error("a .ts file must not reach the next loader");
};

let dir: string;

/** The hooks as a fresh module, reading `HILFARM_TS_CACHE` as a new process would. */
async function hooksWithCache(cache: string): Promise<Load> {
  vi.resetModules();
  vi.stubEnv("HILFARM_TS_CACHE", cache);
  return ((await import("./ts-hooks.mjs")) as { load: Load }).load;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-ts-hooks-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe("bin/ts-hooks.mjs", () => {
  it("keeps each stripped source once, serves it from the cache, and strips an edited file again", async () => {
    const cache = join(dir, "cache");
    const load = await hooksWithCache(cache);
    const file = join(dir, "answer.ts");
    const url = pathToFileURL(file).href;
    await writeFile(file, "export const answer: number = 42;\n");

    const first = await load(url, {}, nextLoad);
    expect(first.source).toMatch(/^const answer = 42;/);
    const [kept] = await readdir(cache);
    expect(kept).toBeDefined();
    const keptPath = join(cache, String(kept));

    // Served from the cache: what the cache holds is what the loader gets.
    const text = await readFile(keptPath, "utf8");
    await writeFile(keptPath, text.replace("answer = 42", "answer = 43"));
    expect((await load(url, {}, nextLoad)).source).toMatch(/^const answer = 43;/);

    // An edited source has another stamp: stripped again, and its one cache file replaced.
    await writeFile(file, "export const answer: string = 'edited';\n");
    expect((await load(url, {}, nextLoad)).source).toMatch(/^const answer = "edited";/);
    expect(await readdir(cache)).toEqual([kept]);
  });

  it("strips every file as it is imported when the cache is off or cannot be written", async () => {
    const blocker = join(dir, "a-file");
    await writeFile(blocker, "");
    const file = join(dir, "plain.ts");
    await writeFile(file, "export type T = string;\nexport const t: T = 'x';\n");
    for (const cache of ["off", join(blocker, "cache")]) {
      const load = await hooksWithCache(cache);
      expect((await load(pathToFileURL(file).href, {}, nextLoad)).source).toMatch(/^const t = "x";/);
    }
    expect(await readdir(dir)).toEqual(["a-file", "plain.ts"].sort());
  });
});
