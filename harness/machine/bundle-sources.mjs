// Where the code of hilfarm's bundle (bin/bundle.mjs) comes from, read from each chunk's inline source map when first
// asked: for stack traces (bin/hilfarm.mjs) and profiles (`HILFARM_CPU_PROF_DIR`, `npm run bench:perf`) on the `.ts`
// file, line and function. V8 names code by the bundle's chunk, line and column, and by the bundle's name for a
// function (esbuild renames functions whose names collide: `send2`). Plain JavaScript: bin/hilfarm.mjs uses it before
// any TypeScript can be loaded.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export class BundleSources {
  /** @type {Map<string, ReturnType<typeof readChunk>>} */
  #chunks = new Map();

  /** The source place of a function that starts at `place` (V8 places a function at its parameter list). */
  place(place) {
    const at = this.position(place.url, place.line, place.column);
    if (at === undefined) return undefined;
    const chunk = this.#chunkOf(place.url);
    // The map names an identifier where the bundle renamed it: the name is looked up where it is written, before.
    const nameAt =
      place.name === "" ? -1 : (chunk.lines[place.line] ?? "").lastIndexOf(place.name, place.column);
    const named = nameAt < 0 ? undefined : chunk.map.findEntry(place.line, nameAt);
    const name = typeof named?.name === "string" ? named.name : place.name;
    return { ...at, name };
  }

  /** The source position of a 0-based line and column of a chunk. */
  position(url, line, column) {
    const chunk = this.#chunkOf(url);
    if (chunk === undefined) return undefined;
    const entry = chunk.map.findEntry(line, column);
    // findEntry answers with the nearest mapping before: one on another line does not place this one (nor a chunk's
    // own top level, at 0:0 before any source's code, which runs every source in the chunk).
    if (entry.originalSource === undefined || entry.generatedLine !== line) return undefined;
    return {
      url: chunk.sourceUrl(entry.originalSource),
      line: entry.originalLine,
      column: entry.originalColumn,
    };
  }

  /** The source line (0-based) of a 0-based line of a chunk, by the last mapping on it. */
  line(url, line) {
    const chunk = this.#chunkOf(url);
    const at = chunk === undefined ? undefined : this.position(url, line, (chunk.lines[line] ?? "").length);
    return at === undefined ? undefined : { url: at.url, line: at.line };
  }

  #chunkOf(url) {
    if (typeof url !== "string" || !url.startsWith("file://") || !url.includes("/hilfarm-bundle/"))
      return undefined;
    if (!this.#chunks.has(url)) this.#chunks.set(url, readChunk(fileURLToPath(url)));
    return this.#chunks.get(url);
  }
}

/**
 * `Error.prepareStackTrace` for a process that runs from the bundle: V8's own lines, each location in a chunk replaced
 * by its source's. Node's source-map support (`process.setSourceMapsEnabled`) would read and keep every module's map
 * when it loads, packages' included (0.05 CPU s and 3-5 MiB of each process's start); these are read on the first
 * stack written.
 */
export function bundleStackTraces(sources = new BundleSources()) {
  return (error, callSites) => {
    let header;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = "<error>";
    }
    return header + callSites.map((site) => `\n    at ${sourceFrame(site, sources)}`).join("");
  };
}

function sourceFrame(site, sources) {
  const text = site.toString();
  const url = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (typeof url !== "string" || line === null || column === null) return text;
  const at = sources.position(url, line - 1, column - 1);
  const generated = `${url}:${line}:${column}`;
  const i = text.lastIndexOf(generated);
  if (at === undefined || i < 0) return text;
  // As Node's own source-map support writes a mapped frame: the source's path.
  const source = fileURLToPath(at.url);
  return `${text.slice(0, i)}${source}:${at.line + 1}:${at.column + 1}${text.slice(i + generated.length)}`;
}

function readChunk(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(text)?.[1];
  if (inline === undefined) return undefined;
  let map;
  try {
    map = new SourceMap(JSON.parse(Buffer.from(inline, "base64").toString("utf8")));
  } catch {
    // Not a map Node can read: the frames stay the bundle's, and the stack trace that asked is still written.
    return undefined;
  }
  const dir = dirname(path);
  return { lines: text.split("\n"), map, sourceUrl: (source) => pathToFileURL(resolve(dir, source)).href };
}
