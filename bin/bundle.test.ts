import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundledEntry } from "./bundle.mjs";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("..", import.meta.url));

let root: string;
let cacheDir: string;

const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const bundle = (cache = cacheDir) => bundledEntry({ root, entry: "main.ts", cacheDir: cache });
const builds = (cache = cacheDir) => readdirSync(cache).filter((name) => /^[0-9a-f]{32}$/.test(name));
const manifests = (cache = cacheDir) =>
  readdirSync(cache).filter((name) => /^current-[0-9a-f]{16}\.json$/.test(name));

/** A small project: an entry, a module that reads its own location, one imported on demand, one that throws. */
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "hilfarm-bundle-"));
  cacheDir = join(root, "cache");
  write(
    "main.ts",
    [
      'import { where } from "./lib/where.ts";',
      "export const answer: number = 42;",
      "export const location = where;",
      'export const later = async (): Promise<string> => (await import("./lib/later.ts")).value;',
      'export function fail(): never { throw new Error("thrown in main.ts"); }',
      "",
    ].join("\n"),
  );
  write(
    "lib/where.ts",
    "export const where = { url: import.meta.url, dirname: import.meta.dirname, filename: import.meta.filename };\n",
  );
  write("lib/later.ts", 'export const value: string = "later";\n');
  write("lib/plain.mjs", 'export { default as data } from "./data.json" with { type: "json" };\n');
  write("lib/data.json", '{ "size": 1 }\n');
  write("lib/with-js.ts", 'export { data } from "./plain.mjs";\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("bin/bundle.mjs", () => {
  it("bundles the entry with what it imports, each module imported on demand apart, and keeps it", async () => {
    const first = await bundle();
    expect(first?.built).toBe(true);
    const main = await import(String(first?.url));
    expect(main.answer).toBe(42);
    expect(await main.later()).toBe("later");
    // The entry, and the module imported on demand in a file of its own.
    const [build] = builds();
    expect(readdirSync(join(cacheDir, String(build))).length).toBeGreaterThan(1);

    const second = await bundle();
    expect(second).toEqual({ url: first?.url, built: false });
    expect(builds()).toEqual([build]);
  });

  it("gives each source its own location, not the bundle's", async () => {
    const { location } = await import(String((await bundle())?.url));
    const source = join(root, "lib/where.ts");
    expect(location).toEqual({ url: pathToFileURL(source).href, dirname: dirname(source), filename: source });
  });

  it("lists the JavaScript and JSON it bundles beside the TypeScript: an edited one bundles again", async () => {
    write("main.ts", 'export { data } from "./lib/with-js.ts";\n');
    const first = await bundle();
    expect((await import(String(first?.url))).data).toEqual({ size: 1 });
    write("lib/data.json", '{ "size": 2 }\n');
    const edited = await bundle();
    expect(edited?.built).toBe(true);
    expect((await import(String(edited?.url))).data).toEqual({ size: 2 });
  });

  it("bundles again when a source changes, or one it listed is gone", async () => {
    const first = await bundle();
    write("lib/later.ts", 'export const value: string = "edited";\n');
    const edited = await bundle();
    expect(edited?.built).toBe(true);
    expect(edited?.url).not.toBe(first?.url);
    expect(await (await import(String(edited?.url))).later()).toBe("edited");

    // The entry no longer imports lib/later.ts, which is removed: the manifest still lists it, so a new bundle.
    write("main.ts", "export const answer: number = 43;\n");
    await rm(join(root, "lib/later.ts"));
    const smaller = await bundle();
    expect(smaller?.built).toBe(true);
    expect((await import(String(smaller?.url))).answer).toBe(43);
    expect(await bundle()).toEqual({ url: smaller?.url, built: false });
  });

  it("keeps the bundle for a source touched but not changed, and takes its new time", async () => {
    const first = await bundle();
    const manifestTimes = () =>
      (
        JSON.parse(readFileSync(join(cacheDir, String(manifests()[0])), "utf8")).inputs as Array<
          [string, number, number]
        >
      )
        .filter(([path]) => path === "lib/later.ts")
        .map(([, , mtimeMs]) => mtimeMs);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, "lib/later.ts"), later, later);
    expect(await bundle()).toEqual({ url: first?.url, built: false });
    expect(manifestTimes()).toEqual([statSync(join(root, "lib/later.ts")).mtimeMs]);
  });

  it("maps a stack trace to the TypeScript source and line", async () => {
    const { url } = (await bundle()) ?? {};
    const script =
      "const m = await import(process.argv[1]); try { m.fail() } catch (e) { console.log(e.stack) }";
    const { stdout } = await run(process.execPath, [
      "--enable-source-maps",
      "--input-type=module",
      "-e",
      script,
      String(url),
    ]);
    expect(stdout).toContain("thrown in main.ts");
    expect(stdout).toContain(`${join(root, "main.ts")}:5:`);
  });

  it("is undefined where it cannot be built or kept: the caller imports the sources", async () => {
    const blocker = join(root, "a-file");
    writeFileSync(blocker, "");
    expect(await bundle(join(blocker, "cache"))).toBeUndefined();

    write("lib/later.ts", "export const value: string = ;\n");
    expect(await bundle()).toBeUndefined();
    // Nothing half-made is left behind.
    expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
  });

  it("takes the build another process made of the same sources at the same time", async () => {
    const first = await bundle();
    const [build] = builds();
    const other = join(root, "other-cache");
    // The other process's build is in place, its manifest not yet written.
    cpSync(join(cacheDir, String(build)), join(other, String(build)), { recursive: true });
    const taken = await bundle(other);
    expect(taken?.built).toBe(true);
    expect(taken?.url).toBe(String(first?.url).replace(cacheDir, other));
    expect(readdirSync(other).sort()).toEqual([String(build), ...manifests(other)].sort());
    expect(manifests(other)).toEqual(manifests());
  });

  it("gives two checkouts of the same sources sharing a cache (a worktree's linked node_modules) a bundle each", async () => {
    const first = await bundle();
    const worktree = join(root, "worktree");
    for (const path of ["main.ts", "lib"])
      cpSync(join(root, path), join(worktree, path), { recursive: true });
    const other = await bundledEntry({ root: worktree, entry: "main.ts", cacheDir });
    expect(other?.built).toBe(true);
    expect(other?.url).not.toBe(first?.url);
    // Each runs from its own place: a process started from the worktree starts its children from the worktree.
    const source = join(worktree, "lib/where.ts");
    expect((await import(String(other?.url))).location.filename).toBe(source);
    expect(builds()).toHaveLength(2);
    expect(manifests()).toHaveLength(2);
    // Each checkout keeps its own: neither builds again.
    expect(await bundle()).toEqual({ url: first?.url, built: false });
    expect(await bundledEntry({ root: worktree, entry: "main.ts", cacheDir })).toEqual({
      url: other?.url,
      built: false,
    });
  });

  it("removes builds older than an hour, but for the current one and the one before it", async () => {
    await bundle();
    const [previous] = builds();
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const older = join(cacheDir, "0".repeat(32));
    const staging = join(cacheDir, "staging-1-abc");
    const recent = join(cacheDir, "1".repeat(32));
    for (const dir of [older, staging, recent]) mkdirSync(dir);
    for (const dir of [join(cacheDir, String(previous)), older, staging])
      utimesSync(dir, hoursAgo(3), hoursAgo(3));
    utimesSync(recent, hoursAgo(0.02), hoursAgo(0.02));
    write("lib/later.ts", 'export const value: string = "edited";\n');
    await bundle();
    // The newest before the current is `recent` (a minute old): kept, and so is anything under an hour old.
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(older)).toBe(false);
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(join(cacheDir, String(previous)))).toBe(false);
    expect(builds()).toHaveLength(2);
  });
});

describe("bin/hilfarm.mjs", () => {
  it("runs from the kept bundle, and from the sources themselves with HILFARM_TS_CACHE set", async () => {
    const version = (env: Record<string, string>) =>
      run(process.execPath, ["bin/hilfarm.mjs", "--version"], { cwd: repo, env: { ...process.env, ...env } });
    const { version: expected } = (await import("../package.json", { with: { type: "json" } })).default;
    expect((await version({})).stdout.trim()).toBe(expected);
    expect((await version({ HILFARM_TS_CACHE: "off" })).stdout.trim()).toBe(expected);
  });
});
