// Module hooks that run hilfarm's TypeScript sources in Node: esbuild strips the types of each `.ts` file as it is
// imported (every relative import names its `.ts` file, and `verbatimModuleSyntax` makes each file stand alone).
// Names are kept as written: no `keepNames` wrapper gives every closure its own `name` property, which in a farm of
// 100,000 devices is kilobytes of heap per device and a call at every closure made.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { stop, transform } from "esbuild";

const options = {
  loader: "ts",
  format: "esm",
  target: `node${process.versions.node}`,
  sourcemap: "inline",
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};

// esbuild transforms in a child process. Once imports stop coming, it goes (a later import starts it again): a farm
// runs for hours, and each of its processes would otherwise keep an idle esbuild beside it.
const IDLE_MS = 1000;
let inFlight = 0;
let idle;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  clearTimeout(idle);
  inFlight++;
  try {
    const path = fileURLToPath(url);
    const { code } = await transform(await readFile(path, "utf8"), { ...options, sourcefile: path });
    return { format: "module", source: code, shortCircuit: true };
  } finally {
    if (--inFlight === 0) {
      idle = setTimeout(stop, IDLE_MS);
      idle.unref();
    }
  }
}
