// `node --import ./bench/hilfarm-hooks.mjs <file.ts>`: a benchmark's TypeScript run as `hilfarm` runs its own
// (bin/ts-hooks.mjs: types stripped, names as written), not through tsx, whose `keepNames` wraps every closure made.
import { register } from "node:module";

register("../bin/ts-hooks.mjs", import.meta.url);
