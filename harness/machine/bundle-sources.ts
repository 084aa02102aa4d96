import { readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A place in a script as V8 reports it in profiles: a file URL, a 0-based line and column, a function's name. */
export interface ScriptPlace {
  url: string;
  line: number;
  column: number;
  name: string;
}

/**
 * Where the code of hilfarm's bundle (bin/bundle.mjs, which bin/hilfarm.mjs runs) comes from. V8 names a function
 * by the bundle's file, line and column, and by the bundle's name for it (esbuild renames functions whose names
 * collide: `send2`); each chunk carries an inline source map, read here, so that profiles (`HILFARM_CPU_PROF_DIR`,
 * `npm run bench:perf`) name the source file, line and function. Places outside the bundle, or that a chunk's map
 * does not cover, are undefined; each chunk is read once.
 */
export class BundleSources {
  private readonly chunks = new Map<string, Chunk | undefined>();

  /** The source place of a function that starts at `place` (V8 places a function at its parameter list). */
  place(place: ScriptPlace): ScriptPlace | undefined {
    const chunk = this.chunkOf(place.url);
    if (chunk === undefined) return undefined;
    const entry = chunk.map.findEntry(place.line, place.column);
    // findEntry answers with the nearest mapping before: one on another line does not place this one (nor a chunk's
    // own top level, at 0:0 before any source's code, which runs every source in the chunk).
    if (!("originalSource" in entry) || entry.generatedLine !== place.line) return undefined;
    // The map names an identifier where the bundle renamed it: the name is looked up where it is written, before.
    const nameAt =
      place.name === "" ? -1 : (chunk.lines[place.line] ?? "").lastIndexOf(place.name, place.column);
    const named = nameAt < 0 ? undefined : chunk.map.findEntry(place.line, nameAt);
    const name =
      named !== undefined && "name" in named && typeof named.name === "string" ? named.name : place.name;
    return {
      url: chunk.sourceUrl(entry.originalSource),
      line: entry.originalLine,
      column: entry.originalColumn,
      name,
    };
  }

  /** The source line (0-based) of a 0-based line of a chunk, by the last mapping on it. */
  line(url: string, line: number): { url: string; line: number } | undefined {
    const chunk = this.chunkOf(url);
    if (chunk === undefined) return undefined;
    const entry = chunk.map.findEntry(line, (chunk.lines[line] ?? "").length);
    if (!("originalSource" in entry) || entry.generatedLine !== line) return undefined;
    return { url: chunk.sourceUrl(entry.originalSource), line: entry.originalLine };
  }

  private chunkOf(url: string): Chunk | undefined {
    if (!url.startsWith("file://") || !url.includes("/hilfarm-bundle/")) return undefined;
    if (!this.chunks.has(url)) this.chunks.set(url, readChunk(fileURLToPath(url)));
    return this.chunks.get(url);
  }
}

interface Chunk {
  lines: string[];
  map: SourceMap;
  sourceUrl(source: string): string;
}

function readChunk(path: string): Chunk | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(text)?.[1];
  if (inline === undefined) return undefined;
  let payload: SourceMapPayload;
  try {
    payload = JSON.parse(Buffer.from(inline, "base64").toString("utf8")) as SourceMapPayload;
  } catch {
    return undefined;
  }
  const dir = dirname(path);
  return {
    lines: text.split("\n"),
    map: new SourceMap(payload),
    sourceUrl: (source) => pathToFileURL(resolve(dir, source)).href,
  };
}
