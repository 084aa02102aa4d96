#!/usr/bin/env node
// hilfarm runs its TypeScript sources directly through tsx: no build step, no stale output.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../harness/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
