import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporaryProject } from "../../harness/testing/temp-project.ts";
import { type CpuProfile, nameProfileSourcesOf } from "./cpu-profiles.ts";
import { spawnHilfarm } from "./local-processes.ts";

let root: string;
let bundle: string;

/**
 * A small project whose two modules each have a busy `spin` (the bundle renames one `spin2`), bundled with inline
 * source maps.
 */
beforeAll(async () => {
  const spin = (op: string) =>
    [
      "export function spin(n: number): number {",
      "  let x = 0;",
      `  for (let i = 0; i < n; i++) x = (x ${op} i) | 0;`,
      "  return x;",
      "}",
      "",
    ].join("\n");
  root = await temporaryProject("hilfarm-cpu-profiles-", {
    "lib/a.ts": spin("+"),
    "lib/b.ts": `// b\n${spin("^")}`,
    "main.ts":
      'import * as a from "./lib/a.ts";\nimport * as b from "./lib/b.ts";\nconsole.log(a.spin(3e7) + b.spin(3e7));\n',
  });
  // As bin/bundle.mjs builds (its own output is what the spawnHilfarm test below reads): inline maps, no sources' text.
  const outdir = join(root, "hilfarm-bundle", "build");
  await build({
    entryPoints: [join(root, "main.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    sourcemap: "inline",
    sourcesContent: false,
    outdir,
    logLevel: "silent",
  });
  bundle = pathToFileURL(join(outdir, "main.js")).href;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `node --cpu-prof` on `args` with its profile in a new directory; the directory and the child's pid. */
async function profiled(args: string[]): Promise<{ dir: string; pid: number }> {
  const dir = await mkdtemp(join(root, "profiles-"));
  const child = spawn(
    process.execPath,
    ["--cpu-prof", "--cpu-prof-interval", "100", `--cpu-prof-dir=${dir}`, ...args],
    { stdio: "ignore" },
  );
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(0);
  return { dir, pid: child.pid ?? 0 };
}

const profileIn = (dir: string): CpuProfile => {
  const [name] = readdirSync(dir).filter((n) => n.endsWith(".cpuprofile"));
  return JSON.parse(readFileSync(join(dir, name as string), "utf8")) as CpuProfile;
};
const framesOf = (profile: CpuProfile) => profile.nodes.map((n) => n.callFrame);

describe("nameProfileSourcesOf", () => {
  it("names the frames of the bundle a profiled process ran by their sources and their own names", async () => {
    const { dir, pid } = await profiled([fileURLToPath(bundle)]);
    const before = framesOf(profileIn(dir)).filter((f) => f.functionName.startsWith("spin"));
    expect(before.map((f) => f.functionName).sort()).toEqual(["spin", "spin2"]);
    expect(before.every((f) => f.url === bundle)).toBe(true);

    nameProfileSourcesOf(dir, pid);
    const after = framesOf(profileIn(dir)).filter((f) => f.functionName.startsWith("spin"));
    const a = pathToFileURL(join(root, "lib/a.ts")).href;
    const b = pathToFileURL(join(root, "lib/b.ts")).href;
    expect(after.map((f) => [f.functionName, f.url, f.lineNumber]).sort()).toEqual([
      ["spin", a, 0],
      ["spin", b, 1],
    ]);
    // Each source a script of its own.
    expect(new Set(after.map((f) => f.scriptId)).size).toBe(2);
    // The line most of a function's ticks fell on is its loop's, in its source (1-based: line 3 of a, 4 of b).
    const profile = profileIn(dir);
    const busiestLine = (url: string) => {
      const ticks = new Map<number, number>();
      for (const node of profile.nodes.filter((n) => n.callFrame.url === url))
        for (const { line, ticks: n } of node.positionTicks ?? [])
          ticks.set(line, (ticks.get(line) ?? 0) + n);
      return [...ticks].sort((x, y) => y[1] - x[1])[0]?.[0];
    };
    expect([busiestLine(a), busiestLine(b)]).toEqual([3, 4]);
    // The chunk's own top level runs every source's code: it stays the bundle's.
    expect(framesOf(profile).some((f) => f.url === bundle && f.functionName === "")).toBe(true);
  });

  it("leaves another process's profiles, and profiles with no bundle frames, as they were", async () => {
    const { dir, pid } = await profiled(["-e", "let x = 0; for (let i = 0; i < 3e7; i++) x ^= i;"]);
    const [name] = readdirSync(dir);
    const text = readFileSync(join(dir, name as string), "utf8");
    nameProfileSourcesOf(dir, pid + 1);
    nameProfileSourcesOf(dir, pid);
    expect(readFileSync(join(dir, name as string), "utf8")).toBe(text);
    nameProfileSourcesOf(join(dir, "missing"), pid);
  });
});

describe("spawnHilfarm with HILFARM_CPU_PROF_DIR", () => {
  it("leaves each child's profile with hilfarm's frames named by their .ts sources", async () => {
    const dir = await mkdtemp(join(root, "hilfarm-"));
    const saved = process.env.HILFARM_CPU_PROF_DIR;
    process.env.HILFARM_CPU_PROF_DIR = dir;
    try {
      const child = spawnHilfarm(["--version"]);
      child.stdout?.resume();
      await new Promise((resolve) => child.once("exit", resolve));
      // The rewrite runs in the same "exit" event, before this test's listener.
    } finally {
      if (saved === undefined) delete process.env.HILFARM_CPU_PROF_DIR;
      else process.env.HILFARM_CPU_PROF_DIR = saved;
    }
    const urls = framesOf(profileIn(dir)).map((f) => f.url);
    expect(urls.some((url) => url.endsWith("/cli/main.ts"))).toBe(true);
    // Only the chunks' own top levels stay the bundle's.
    const inBundle = framesOf(profileIn(dir)).filter((f) => f.url.includes("/hilfarm-bundle/"));
    expect(inBundle.every((f) => f.lineNumber === 0 && f.columnNumber === 0 && f.functionName === "")).toBe(
      true,
    );
  });
});
