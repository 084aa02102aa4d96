import { spawnSync } from "node:child_process";

/** One sample of `perf script -F tid,ip,sym,dso`: its stack, leaf first. */
export interface PerfSample {
  frames: Array<{ symbol: string; dso: string }>;
  /** Its header line, trimmed: the fields before the stack (`tid`, or `pid` and `time` as `-F` asked). */
  header?: string;
}

/**
 * Parses `perf script -F tid,ip,sym,dso`: a line with the thread id, then one indented line per frame
 * (`<address> <symbol> (<dso>)`), a blank line between samples. `root` is cut from JavaScript file names, after
 * `nameFrame` has named each frame as its source does (bundle-sources.ts).
 */
export function parsePerfScript(
  text: string,
  root: string,
  nameFrame: (symbol: string) => string = (symbol) => symbol,
): PerfSample[] {
  const samples: PerfSample[] = [];
  let current: PerfSample | undefined;
  const fileRoot = `file://${root.endsWith("/") ? root : `${root}/`}`;
  const end = () => {
    if (current !== undefined && current.frames.length > 0) samples.push(current);
    current = undefined;
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") end();
    else if (line.startsWith("\t")) {
      const frame = /^\s*[0-9a-f]+ (?<symbol>.*?)(?: \((?<dso>[^()]*)\))?$/.exec(line);
      current ??= { frames: [] };
      current.frames.push({
        symbol: nameFrame(frame?.groups?.symbol ?? line.trim()).replace(fileRoot, ""),
        dso: frame?.groups?.dso ?? "",
      });
    } else {
      // A sample's header (its thread id, or what else `-F` asked for before the stack).
      end();
      current = { frames: [], header: line.trim() };
    }
  }
  end();
  return samples;
}

/** Where a frame's code lives. */
export function placeOf(dso: string): string {
  if (dso.includes("kernel")) return "kernel";
  if (/\/perf-\d+\.map$/.test(dso)) return "JavaScript, JIT-compiled";
  if (/\/node$/.test(dso)) return "node binary (V8, libuv, OpenSSL, builtins)";
  if (/libc\.so/.test(dso)) return "libc (malloc, system call stubs)";
  return dso === "" || dso === "[unknown]" ? "unknown" : dso.replace(/.*\//, "");
}

/** A JavaScript frame's name and file, without its line and column. */
const jsName = (symbol: string) => symbol.replace(/^JS:/, "").replace(/:\d+:\d+$/, "");

/** What `tally` files a sample under when no JavaScript frame is on its stack. */
export const NO_JAVASCRIPT_FRAME = "(no JavaScript frame)";

/**
 * Samples counted three ways: by where the leaf ran, by the nearest JavaScript function on the stack (what it
 * called natively counted with it; "no JavaScript frame" is the event loop, the collector's threads and the
 * kernel's work outside a call from JavaScript), and by leaf symbol; and each leaf symbol's samples by that nearest
 * JavaScript function: who called a builtin, the allocator or a system call.
 */
export function tally(samples: readonly PerfSample[]): {
  where: Map<string, number>;
  nearestJs: Map<string, number>;
  leaf: Map<string, number>;
  leafCallers: Map<string, Map<string, number>>;
} {
  const where = new Map<string, number>();
  const nearestJs = new Map<string, number>();
  const leaf = new Map<string, number>();
  const leafCallers = new Map<string, Map<string, number>>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const { frames } of samples) {
    const first = frames[0];
    if (first === undefined) continue;
    // An inlined frame has no object of its own: it ran in the next real frame's.
    add(where, placeOf(frames.find((f) => f.dso !== "inlined")?.dso ?? ""));
    const js = frames.find((f) => f.symbol.startsWith("JS:"));
    const caller = js === undefined ? NO_JAVASCRIPT_FRAME : jsName(js.symbol);
    add(nearestJs, caller);
    const leafName = first.symbol.startsWith("JS:") ? jsName(first.symbol) : first.symbol;
    add(leaf, leafName);
    const callers = leafCallers.get(leafName) ?? new Map<string, number>();
    leafCallers.set(leafName, callers);
    add(callers, caller);
  }
  return { where, nearestJs, leaf, leafCallers };
}

/** Stops with a clear message where Linux perf is missing; `what` names the bench (and setting) that needs it. */
export function perfOrExplain(what: string): void {
  const probe = spawnSync("perf", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0)
    throw new Error(
      `${what} needs Linux perf on the PATH (Debian: apt-get install linux-perf); it was not found`,
    );
}

/**
 * The samples of a `perf record` file through `perf script -F <fields>,ip,sym,dso` (`fields`: what each sample's
 * header holds, `tid` or `pid,time`), JIT-compiled frames named by the processes' maps.
 */
export function samplesOfRecording(
  file: string,
  fields: string,
  root: string,
  nameFrame: (symbol: string) => string = (symbol) => symbol,
): PerfSample[] {
  const script = spawnSync("perf", ["script", "-i", file, "-F", `${fields},ip,sym,dso`], {
    encoding: "utf8",
    maxBuffer: 2 ** 31 - 1,
  });
  if (script.status !== 0)
    throw new Error(`perf script -i ${file}: ${script.stderr.trim().split("\n").at(-1)}`);
  return parsePerfScript(script.stdout, root, nameFrame);
}
