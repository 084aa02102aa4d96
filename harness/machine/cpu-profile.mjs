// A V8 CPU profile of a whole hilfarm process (`HILFARM_CPU_PROF_DIR`, started by bin/hilfarm.mjs), written when the
// process exits with its bundle's frames named by their `.ts` sources. `node --cpu-prof` names the bundle's chunks, and
// writes its profile after the last JavaScript has run; the profiler of `node:inspector` answers the process's own
// session synchronously, so the profile can be named before it is written. Plain JavaScript: bin/hilfarm.mjs starts it
// before any TypeScript can be loaded.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { BundleSources } from "./bundle-sources.mjs";

/**
 * Names the frames of a profile that ran in hilfarm's bundle by their sources (file, line, column, the function's own
 * name), each source a script of its own; a line's ticks go to the source line it came from. A chunk's own top level
 * runs every source in it and stays the chunk's. Returns the number of frames renamed.
 */
export function nameBundleSources(profile, sources = new BundleSources()) {
  /** @type {Map<string, string>} */
  const scriptIds = new Map();
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
      scriptId: scriptIds.get(place.url),
      url: place.url,
      lineNumber: place.line,
      columnNumber: place.column,
    };
    renamed += 1;
  }
  return renamed;
}

/** `<name>.<yyyymmdd>.<hhmmss>.<pid>.cpuprofile`, in UTC: the process, and when it started. */
export function profileFileName(name, startedAt, pid) {
  const [date, time] = startedAt.toISOString().replace(/[-:]/g, "").split(/[T.]/);
  return `${name}.${date}.${time}.${pid}.cpuprofile`;
}

/**
 * Samples this process from now until it exits, then writes the profile to `dir` (`profileFileName`), its bundle's
 * frames named by source; `dir` is made if missing. Every `intervalUs` µs (1,000, as `--cpu-prof`). A profile that
 * cannot be written is reported on stderr; the process's own exit code stands.
 */
export function profileUntilExit({ dir, name, intervalUs = 1000 }) {
  const session = new Session();
  session.connect();
  const startedAt = new Date();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  session.post("Profiler.start");
  process.once("exit", () => {
    // The process's own session answers before `post` returns, in the exit event as anywhere.
    let profile;
    session.post("Profiler.stop", (error, result) => {
      if (error === null) profile = result.profile;
    });
    session.disconnect();
    if (profile === undefined) return;
    const path = join(dir, profileFileName(name, startedAt, process.pid));
    try {
      nameBundleSources(profile);
    } catch {
      // A map that cannot be read leaves the profile as V8 named it: still a profile.
    }
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, JSON.stringify(profile));
    } catch (error) {
      process.stderr.write(`hilfarm: the CPU profile could not be written to ${path}: ${error.message}\n`);
    }
  });
}
