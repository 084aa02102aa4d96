// Module hooks that run hilfarm's TypeScript sources in Node: esbuild strips the types of each `.ts` file as it is
// imported (every relative import names its `.ts` file, and `verbatimModuleSyntax` makes each file stand alone).
// Names are kept as written: no `keepNames` wrapper gives every closure its own `name` property, which in a farm of
// 100,000 devices is kilobytes of heap per device and a call at every closure made.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stop, transform, version } from "esbuild";
import { target, tsconfigRaw } from "./strip-options.mjs";

const options = { loader: "ts", format: "esm", target, sourcemap: "inline", tsconfigRaw };

/**
 * Where stripped sources are kept: a `hilfarm load` starts a process per worker and per platform, each importing the
 * same 400-odd files, and stripping them all again costs each about 0.5 s of CPU (README, "Development"). One file
 * per source, stamped with what made it (esbuild's version, the options, the path and the source), so an edited
 * file is stripped again and the cache never holds more than one copy of each. `HILFARM_TS_CACHE` names another
 * directory (one of this user's own: what it holds is run), or `off`. The cache is best-effort: what cannot be
 * written is stripped again by the next process.
 */
const cacheSetting = process.env.HILFARM_TS_CACHE || undefined;
const cacheDir =
  cacheSetting === "off"
    ? undefined
    : resolve(cacheSetting ?? fileURLToPath(new URL("../node_modules/.cache/hilfarm-ts/", import.meta.url)));
const optionsStamp = `${version}\0${JSON.stringify(options)}`;

// esbuild transforms in a child process. Once imports stop coming, it goes (a later import starts it again): a farm
// runs for hours, and each of its processes would otherwise keep an idle esbuild beside it.
const IDLE_MS = 1000;
let inFlight = 0;
let idle;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, "utf8");
  const stamp = `\n// hilfarm-ts ${sha256(`${optionsStamp}\0${path}\0${source}`)}\n`;
  const file = cacheDir === undefined ? undefined : join(cacheDir, `${sha256(path).slice(0, 40)}.js`);
  const kept = file === undefined ? undefined : await readKept(file, stamp);
  if (kept !== undefined) return { format: "module", source: kept, shortCircuit: true };
  const code = await strip(source, path);
  if (file !== undefined) await keep(file, code + stamp);
  return { format: "module", source: code, shortCircuit: true };
}

async function strip(source, path) {
  clearTimeout(idle);
  inFlight++;
  try {
    return (await transform(source, { ...options, sourcefile: path })).code;
  } finally {
    if (--inFlight === 0) {
      idle = setTimeout(stop, IDLE_MS);
      idle.unref();
    }
  }
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** The kept code when its stamp is this source's (the stamp, at the end, leaves the source map's lines as they are). */
async function readKept(file, stamp) {
  const text = await readFile(file, "utf8").catch(() => undefined);
  return text?.endsWith(stamp) ? text.slice(0, -stamp.length) : undefined;
}

let cacheMade;

/** Written beside and renamed into place: processes that start together never read half a file. */
async function keep(file, text) {
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    cacheMade ??= mkdir(cacheDir, { recursive: true });
    await cacheMade;
    await writeFile(partial, text);
    await rename(partial, file);
  } catch {
    // Best-effort (see cacheDir).
    await rm(partial, { force: true }).catch(() => undefined);
  }
}
