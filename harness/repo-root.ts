import { fileURLToPath } from "node:url";

/** Where hilfarm is installed: `bin/hilfarm.mjs`, `examples/` and the suites are found from here. */
export const repoRoot = fileURLToPath(new URL("../", import.meta.url));
