import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BundleSources } from "../../harness/machine/bundle-sources.mjs";

/** A node of V8's sampling heap profile (`HeapProfiler.stopSampling`): a function, what it allocated itself, its callees. */
export interface SampledNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children?: SampledNode[];
}

/** A function as a table names it: its name and where it is written (`harness/link/tcp-link.ts:42`). */
export type NameFunction = (frame: SampledNode["callFrame"]) => {
  name: string;
  place: string;
  ours: boolean;
};

/**
 * The profiles heap-sampler.mjs wrote to `dir` (heap-<role>-<pid>.json; a file is named only once written whole), each
 * with its file's name and its process's role (`worker`, `platform`, `bare-client`, ...).
 */
export async function sampledProfilesIn(
  dir: string,
): Promise<{ file: string; role: string; head: SampledNode }[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith("heap-") && f.endsWith(".json"));
  return Promise.all(
    files.map(async (file) => ({
      file,
      role: file.slice("heap-".length, file.lastIndexOf("-")),
      head: (JSON.parse(await readFile(join(dir, file), "utf8")) as { head: SampledNode }).head,
    })),
  );
}

/** Bytes allocated under `node`, itself and its callees. */
export const bytesOf = (node: SampledNode): number =>
  (node.children ?? []).reduce((sum, child) => sum + bytesOf(child), node.selfSize);

/**
 * Where a profile's bytes were allocated: each function that allocated them itself, with the nearest of the project's
 * own functions on its stack (itself when it is one), largest first. A builtin's allocation (`Buffer.from`,
 * `JSON.parse`) says little alone: the caller in the project's code says what for.
 */
export function allocationSites(
  head: SampledNode,
  nameOf: NameFunction,
): { site: string; ours: string; bytes: number }[] {
  const bytes = new Map<string, { site: string; ours: string; bytes: number }>();
  const visit = (node: SampledNode, nearestOurs: string) => {
    const named = nameOf(node.callFrame);
    const label = `${named.name} ${named.place}`.trim();
    const ours = named.ours ? label : nearestOurs;
    if (node.selfSize > 0) {
      const key = `${label}\0${ours}`;
      const site = bytes.get(key) ?? { site: label, ours, bytes: 0 };
      site.bytes += node.selfSize;
      bytes.set(key, site);
    }
    for (const child of node.children ?? []) visit(child, ours);
  };
  visit(head, "(none)");
  return [...bytes.values()].sort((a, b) => b.bytes - a.bytes);
}

/**
 * Names a profile's functions as their sources have them: a function of hilfarm's bundle by its `.ts` file and line
 * (harness/machine/bundle-sources.mjs), a file of the checkout `root` by its path in it; the project's own are those
 * in the checkout outside node_modules. Node's own (`node:buffer`) and V8's (`(root)`, `(garbage collector)`) keep their names.
 */
export function sourceFunctionNamer(root: string, sources = new BundleSources()): NameFunction {
  const rootUrl = `${pathToFileURL(root).href.replace(/\/$/, "")}/`;
  return ({ functionName, url, lineNumber, columnNumber }) => {
    const placed = sources.place({ url, line: lineNumber, column: columnNumber, name: functionName });
    const name = (placed?.name ?? functionName) || "(anonymous)";
    // A CommonJS module (a package's) is named by its path, an ES module by its URL.
    const at = placed?.url ?? (url.startsWith("/") ? pathToFileURL(url).href : url);
    const line = (placed?.line ?? lineNumber) + 1;
    if (at === "") return { name, place: "", ours: false };
    if (!at.startsWith("file://")) return { name, place: at, ours: false };
    const path = at.startsWith(rootUrl) ? at.slice(rootUrl.length) : fileURLToPath(at);
    const ours = at.startsWith(rootUrl) && !path.startsWith("node_modules/");
    return { name, place: `${path}:${line}`, ours };
  };
}

/**
 * `allocationSites` summed by the nearest of the project's functions: what each of hilfarm's functions makes the
 * process allocate, itself or through what it calls, with the largest of those sites. Largest first.
 */
export function allocationsByOurs(
  sites: readonly { site: string; ours: string; bytes: number }[],
): { ours: string; bytes: number; largest: { site: string; bytes: number } }[] {
  const byOurs = new Map<string, { ours: string; bytes: number; largest: { site: string; bytes: number } }>();
  for (const { site, ours, bytes } of sites) {
    const entry = byOurs.get(ours) ?? { ours, bytes: 0, largest: { site, bytes } };
    entry.bytes += bytes;
    if (bytes > entry.largest.bytes) entry.largest = { site, bytes };
    byOurs.set(ours, entry);
  }
  return [...byOurs.values()].sort((a, b) => b.bytes - a.bytes);
}
