// Module hooks that run hilfarm's TypeScript sources in Node: esbuild strips the types of each `.ts` file as it is
// imported (every relative import names its `.ts` file, and `verbatimModuleSyntax` makes each file stand alone).
// Names are kept as written: no `keepNames` wrapper gives every closure its own `name` property, which in a farm of
// 100,000 devices is kilobytes of heap per device and a call at every closure made.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const options = {
  loader: "ts",
  format: "esm",
  target: `node${process.versions.node}`,
  sourcemap: "inline",
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, "utf8"), { ...options, sourcefile: path });
  return { format: "module", source: code, shortCircuit: true };
}
