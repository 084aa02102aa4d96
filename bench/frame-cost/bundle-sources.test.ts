import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledEntry } from "../../bin/bundle.mjs";
import { temporaryProject } from "../../harness/testing/temp-project.ts";
import { bundleFrameNamer } from "./bundle-sources.ts";
import { parsePerfScript } from "./perf-script.ts";

let root: string;
let bundle: string;
let text: string;

/** The position V8 gives a function in its perf map: its parameter list (the declaration's last character), 1-based. */
function positionOf(declaration: string): string {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(declaration));
  expect(line, declaration).toBeGreaterThanOrEqual(0);
  const column = (lines[line] as string).indexOf(declaration) + declaration.length;
  return `${line + 1}:${column}`;
}

/** Two modules with a function of the same name, which the bundle must rename in one of them. */
beforeAll(async () => {
  root = await temporaryProject("hilfarm-bundle-sources-", {
    "main.ts": [
      'import * as a from "./lib/a.ts";',
      'import * as b from "./lib/b.ts";',
      "a.send(1);",
      "b.send(2);",
      "",
    ].join("\n"),
    "lib/a.ts": ["export function send(n: number): number {", "  return n + 1;", "}", ""].join("\n"),
    "lib/b.ts": ["// b", "", "export function send(n: number): number {", "  return n * 2;", "}", ""].join(
      "\n",
    ),
  });
  const built = await bundledEntry({ root, entry: "main.ts", cacheDir: join(root, "hilfarm-bundle") });
  if (built === undefined) throw new Error("the small project did not bundle");
  bundle = built.url;
  text = readFileSync(fileURLToPath(bundle), "utf8");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("bundleFrameNamer", () => {
  it("names a bundled function by its source file, line and own name, the renamed one too", () => {
    expect(text).toContain("function send2(");
    const name = bundleFrameNamer();
    const a = pathToFileURL(join(root, "lib/a.ts")).href;
    const b = pathToFileURL(join(root, "lib/b.ts")).href;
    const renamed = `JS:*send2 ${bundle}:${positionOf("function send2(")}`;
    const kept = `JS:~send ${bundle}:${positionOf("function send(")}`;
    // Which module keeps the name is esbuild's choice: each is named by its own file.
    const [first, second] =
      text.indexOf("function send(") < text.indexOf("function send2(") ? [a, b] : [b, a];
    const lineIn = (file: string) => (file === a ? 1 : 3);
    expect(name(kept)).toMatch(new RegExp(`^JS:~send ${first}:${lineIn(first)}:\\d+$`));
    expect(name(renamed)).toMatch(new RegExp(`^JS:\\*send ${second}:${lineIn(second)}:\\d+$`));
  });

  it("leaves frames from elsewhere, and places the map does not cover, as they came", () => {
    const name = bundleFrameNamer();
    for (const symbol of [
      "JS:*encodeFrame file:///work/main/harness/protocol/mc/codec.ts:7:1",
      "Builtins_LoadIC",
      "JS:*send file:///nowhere/hilfarm-bundle/0000/main.js:1:1",
      `JS:*send ${bundle}:9999:1`,
    ])
      expect(name(symbol)).toBe(symbol);
  });

  it("is what parsePerfScript names a frame by, before the checkout's root is cut", () => {
    const script = [
      "   1 ",
      `\t    7f3a00002000 JS:*send2 ${bundle}:${positionOf("function send2(")} (/tmp/perf-1.map)`,
      "",
    ].join("\n");
    const [sample] = parsePerfScript(script, root, bundleFrameNamer());
    expect(sample?.frames[0]?.symbol).toMatch(/^JS:\*send lib\/[ab]\.ts:\d+:\d+$/);
  });
});
