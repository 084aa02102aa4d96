import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BundleSources } from "../../harness/machine/bundle-sources.mjs";

/** The parts of V8's `.cpuprofile` (`node --cpu-prof`) that name code. */
export interface CpuProfile {
  nodes: Array<{
    callFrame: {
      functionName: string;
      scriptId: string;
      url: string;
      lineNumber: number;
      columnNumber: number;
    };
    positionTicks?: Array<{ line: number; ticks: number }>;
  }>;
}

/**
 * Names the frames of a profile that ran in hilfarm's bundle by their sources (file, line, column, the function's
 * own name), each source a script of its own; a line's ticks go to the source line it came from. Returns the frames
 * renamed.
 */
function nameBundleSources(profile: CpuProfile, sources: BundleSources = new BundleSources()): number {
  const scriptIds = new Map<string, string>();
  let nextId = 1 + profile.nodes.reduce((max, n) => Math.max(max, Number(n.callFrame.scriptId) || 0), 0);
  let renamed = 0;
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const place = sources.place({
      url: frame.url,
      line: frame.lineNumber,
      column: frame.columnNumber,
      name: frame.functionName,
    });
    if (place === undefined) continue;
    if (node.positionTicks !== undefined) {
      // positionTicks' lines are 1-based.
      node.positionTicks = node.positionTicks.flatMap(({ line, ticks }) => {
        const source = sources.line(frame.url, line - 1);
        return source?.url === place.url ? [{ line: source.line + 1, ticks }] : [];
      });
    }
    if (!scriptIds.has(place.url)) scriptIds.set(place.url, String(nextId++));
    node.callFrame = {
      functionName: place.name,
      scriptId: scriptIds.get(place.url) as string,
      url: place.url,
      lineNumber: place.line,
      columnNumber: place.column,
    };
    renamed += 1;
  }
  return renamed;
}

/**
 * Rewrites the profiles process `pid` wrote in `dir` (Node names them `CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`)
 * with their bundle's frames named by source. A profile that cannot be read or parsed is left as it is.
 */
export function nameProfileSourcesOf(dir: string, pid: number): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter(
      (name) => name.endsWith(".cpuprofile") && name.split(".")[3] === String(pid),
    );
  } catch {
    return;
  }
  const sources = new BundleSources();
  for (const name of names) {
    const path = join(dir, name);
    try {
      const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
      if (nameBundleSources(profile, sources) > 0) writeFileSync(path, JSON.stringify(profile));
    } catch {
      // Not a profile this can read: the user keeps V8's own.
    }
  }
}
