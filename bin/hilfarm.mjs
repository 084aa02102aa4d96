#!/usr/bin/env node
// hilfarm runs its TypeScript sources directly: no build step, no stale output. The command line is bundled once and
// kept until a source changes (bin/bundle.mjs); with `HILFARM_TS_CACHE` set, or where no bundle can be kept, each
// source is stripped of its types as it is imported (bin/ts-hooks.mjs).
import { register } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleStackTraces } from "../harness/machine/bundle-sources.mjs";
import { bundledEntry } from "./bundle.mjs";

// A CPU profile of this process, written as it exits, its frames named by source (harness/machine/cpu-profile.mjs).
const profileDir = process.env.HILFARM_CPU_PROF_DIR;
if (profileDir !== undefined && profileDir !== "") {
  const { profileUntilExit } = await import("../harness/machine/cpu-profile.mjs");
  const command = process.argv[2] ?? "";
  profileUntilExit({ dir: profileDir, name: `hilfarm-${/^[a-z][a-z-]*$/.test(command) ? command : "cli"}` });
}
const root = fileURLToPath(new URL("..", import.meta.url));
const bundle =
  process.env.HILFARM_TS_CACHE === undefined || process.env.HILFARM_TS_CACHE === ""
    ? await bundledEntry({
        root,
        entry: "cli/main.ts",
        cacheDir: join(root, "node_modules/.cache/hilfarm-bundle"),
      })
    : undefined;
// Stack traces on the `.ts` line: from the bundle's maps when a stack is written, or Node's own for the hooks' sources.
if (bundle === undefined) {
  register("./ts-hooks.mjs", import.meta.url);
  process.setSourceMapsEnabled(true);
} else Error.prepareStackTrace = bundleStackTraces();
// A reader that stops early (`hilfarm frame decode ... | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import(bundle?.url ?? "../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
