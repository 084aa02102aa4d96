import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporaryProject } from "../testing/temp-project.ts";
import { type CpuProfile, nameBundleSources, profileFileName } from "./cpu-profile.mjs";

const run = promisify(execFile);
const profileModule = fileURLToPath(new URL("./cpu-profile.mjs", import.meta.url));

let root: string;
let bundle: string;

/**
 * A small project whose two modules each have a busy `spin` (the bundle renames one `spin2`), bundled with inline
 * source maps as bin/bundle.mjs builds (inline maps, no sources' text, under a `hilfarm-bundle` directory).
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
  root = await temporaryProject("hilfarm-cpu-profile-", {
    "lib/a.ts": spin("+"),
    "lib/b.ts": `// b\n${spin("^")}`,
    "main.ts":
      'import * as a from "./lib/a.ts";\nimport * as b from "./lib/b.ts";\nconsole.log(a.spin(3e7) + b.spin(3e7));\n',
  });
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

/**
 * Runs `body` (module code) in a fresh process that first calls `profileUntilExit` with `dir`; its pid, exit code and
 * stderr.
 */
async function profiledRun(
  dir: string,
  body: string,
): Promise<{ pid: number; code: number; stderr: string }> {
  const script = [
    `import { profileUntilExit } from ${JSON.stringify(profileModule)};`,
    `profileUntilExit({ dir: ${JSON.stringify(dir)}, name: "small", intervalUs: 100 });`,
    'console.error("pid", process.pid);',
    body,
  ].join("\n");
  try {
    const { stderr } = await run(process.execPath, ["--input-type=module", "-e", script]);
    return { pid: Number(/pid (\d+)/.exec(stderr)?.[1]), code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { pid: Number(/pid (\d+)/.exec(failed.stderr)?.[1]), code: failed.code, stderr: failed.stderr };
  }
}

const framesOf = (profile: CpuProfile) => profile.nodes.map((n) => n.callFrame);

describe("profileUntilExit", () => {
  it("writes the process's profile as it exits, named by process, with the bundle's frames named by source", async () => {
    const dir = join(await mkdtemp(join(root, "profiles-")), "made");
    const { pid, code } = await profiledRun(dir, `await import(${JSON.stringify(bundle)});`);
    expect(code).toBe(0);
    const names = readdirSync(dir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^small\\.\\d{8}\\.\\d{6}\\.${pid}\\.cpuprofile$`));
    const profile = JSON.parse(readFileSync(join(dir, names[0] as string), "utf8")) as CpuProfile;

    const spins = framesOf(profile).filter((f) => f.functionName.startsWith("spin"));
    const a = pathToFileURL(join(root, "lib/a.ts")).href;
    const b = pathToFileURL(join(root, "lib/b.ts")).href;
    // The bundle's `spin2` is b's `spin` again.
    expect(spins.map((f) => [f.functionName, f.url, f.lineNumber]).sort()).toEqual([
      ["spin", a, 0],
      ["spin", b, 1],
    ]);
    expect(new Set(spins.map((f) => f.scriptId)).size).toBe(2);
    // The line most of a function's ticks fell on is its loop's, in its source (1-based: line 3 of a, 4 of b).
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

  it("says on stderr where a profile could not be written, and the process keeps its exit code", async () => {
    const dir = await mkdtemp(join(root, "profiles-"));
    const blocked = join(dir, "not-a-directory");
    await run(process.execPath, ["-e", `require("node:fs").writeFileSync(${JSON.stringify(blocked)}, "")`]);
    const { pid, code, stderr } = await profiledRun(blocked, "process.exitCode = 3;");
    expect(code).toBe(3);
    expect(stderr).toContain(`hilfarm: the CPU profile could not be written to ${blocked}/small.`);
    expect(stderr).toContain(`.${pid}.cpuprofile: `);
  });
});

describe("nameBundleSources", () => {
  it("leaves a profile with no frame in the bundle as it was", async () => {
    const dir = await mkdtemp(join(root, "profiles-"));
    await profiledRun(dir, "let x = 0; for (let i = 0; i < 3e7; i++) x ^= i;");
    const [name] = readdirSync(dir);
    const text = readFileSync(join(dir, name as string), "utf8");
    const profile = JSON.parse(text) as CpuProfile;
    expect(nameBundleSources(profile)).toBe(0);
    expect(JSON.stringify(profile)).toBe(text);
  });
});

describe("profileFileName", () => {
  it("names the process and its start in UTC, then its pid", () => {
    expect(profileFileName("hilfarm-worker", new Date(Date.UTC(2026, 11, 4, 4, 5, 6, 789)), 4242)).toBe(
      "hilfarm-worker.20261204.040506.4242.cpuprofile",
    );
  });
});
