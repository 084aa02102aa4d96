#!/usr/bin/env node
// hilfarm runs its TypeScript sources directly (bin/ts-hooks.mjs): no build step, no stale output.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
process.setSourceMapsEnabled(true);
// A reader that stops early (`hilfarm frame decode ... | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
