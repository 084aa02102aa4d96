import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Load = typeof import("./ts-hooks.mjs").load;

const nextLoad = (): never => {
  throw new Error("a .ts file must not reach the next loader");
};

let dir: string;

/** The hooks as a fresh module, reading `HILFARM_TS_CACHE` as a new process would. */
async function hooksWithCache(cache: string): Promise<Load> {
  vi.resetModules();
  vi.stubEnv("HILFARM_TS_CACHE", cache);
  return (await import("./ts-hooks.mjs")).load;
}

const sourceOf = async (load: Load, file: string) =>
  String((await load(pathToFileURL(file).href, {}, nextLoad)).source);

/** Makes the one file kept in `cache` say 43 where the source says 42 (its stamp unchanged). */
async function tamper(cache: string): Promise<void> {
  const [kept] = await readdir(cache);
  const path = join(cache, String(kept));
  await writeFile(path, (await readFile(path, "utf8")).replace("answer = 42", "answer = 43"));
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
    await writeFile(file, "export const answer: number = 42;\n");

    expect(await sourceOf(load, file)).toMatch(/^const answer = 42;/);
    const kept = await readdir(cache);
    expect(kept).toHaveLength(1);

    // Served from the cache: what the cache holds is what the loader gets.
    await tamper(cache);
    expect(await sourceOf(load, file)).toMatch(/^const answer = 43;/);
    // A process that starts later reads it too.
    expect(await sourceOf(await hooksWithCache(cache), file)).toMatch(/^const answer = 43;/);

    // An edited source has another stamp: stripped again, and its one cache file replaced.
    await writeFile(file, "export const answer: string = 'edited';\n");
    expect(await sourceOf(load, file)).toMatch(/^const answer = "edited";/);
    expect(await readdir(cache)).toEqual(kept);
  });

  it("strips every file as it is imported when the cache is off, and loads when the cache cannot be written", async () => {
    const cache = join(dir, "cache");
    const file = join(dir, "answer.ts");
    await writeFile(file, "export const answer: number = 42;\n");
    await sourceOf(await hooksWithCache(cache), file);
    await tamper(cache);

    // Off: the kept (tampered) file is not read, and no directory named "off" is made.
    expect(await sourceOf(await hooksWithCache("off"), file)).toMatch(/^const answer = 42;/);
    expect(existsSync(join(process.cwd(), "off"))).toBe(false);

    // A cache under a plain file cannot be made: every file still loads, and nothing is left beside it.
    const blocker = join(dir, "a-file");
    await writeFile(blocker, "");
    expect(await sourceOf(await hooksWithCache(join(blocker, "cache")), file)).toMatch(/^const answer = 42;/);
    expect((await readdir(dir)).sort()).toEqual(["a-file", "answer.ts", "cache"]);
  });
});
