import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporaryProject } from "../harness/testing/temp-project.ts";
import { bundledEntry } from "./bundle.mjs";

const run = promisify(execFile);
const sourcesModule = fileURLToPath(new URL("../harness/machine/bundle-sources.mjs", import.meta.url));

let root: string;
let bundle: string;

/** A small project bundled as bin/hilfarm.mjs's is: an entry whose function throws through a module's. */
beforeAll(async () => {
  root = await temporaryProject("hilfarm-stacks-", {
    "lib/deep.ts": [
      "// deep",
      "export function deep(): never {",
      '  throw new TypeError("thrown deep");',
      "}",
      "",
    ].join("\n"),
    "main.ts": [
      'import { deep } from "./lib/deep.ts";',
      "",
      "export async function fail(): Promise<never> {",
      "  await 0;",
      "  return deep();",
      "}",
      "",
    ].join("\n"),
  });
  const built = await bundledEntry({ root, entry: "main.ts", cacheDir: join(root, "hilfarm-bundle") });
  if (built === undefined) throw new Error("the small project did not bundle");
  bundle = built.url;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The stack of the small project's error, in a fresh process without Node's source-map support. */
async function stackWith(install: string): Promise<string> {
  const script = [
    `import { bundleStackTraces } from ${JSON.stringify(sourcesModule)};`,
    install,
    "const m = await import(process.argv[1]);",
    "try { await m.fail() } catch (e) { console.log(e.stack) }",
  ].join("\n");
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script, bundle]);
  return stdout;
}

describe("bundleStackTraces", () => {
  it("writes V8's stack with each of the bundle's locations on its source's path, line and column", async () => {
    const stack = await stackWith("Error.prepareStackTrace = bundleStackTraces();");
    const lines = stack.trimEnd().split("\n");
    expect(lines[0]).toBe("TypeError: thrown deep");
    expect(lines[1]).toBe(`    at deep (${join(root, "lib/deep.ts")}:3:9)`);
    expect(lines[2]).toBe(`    at Module.fail (${join(root, "main.ts")}:5:10)`);
    expect(stack).not.toContain("hilfarm-bundle");
  });

  it("is what turns the bundle's locations into the sources' (without it, V8 names the bundle)", async () => {
    const stack = await stackWith("");
    expect(stack).toContain("hilfarm-bundle");
    expect(stack).not.toContain(join(root, "lib/deep.ts"));
  });
});
