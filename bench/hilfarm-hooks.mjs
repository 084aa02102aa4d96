// `node --import ./bench/hilfarm-hooks.mjs <file.ts>`: a benchmark's TypeScript made JavaScript as `hilfarm` makes its
// own (bin/ts-hooks.mjs, bundled or not: types stripped by esbuild with bin/strip-options.mjs, names as written), not
// through tsx, whose `keepNames` wraps every closure made.
import { register } from "node:module";

register("../bin/ts-hooks.mjs", import.meta.url);
