/** A place in a script as V8 reports it in profiles: a file URL, a 0-based line and column, a function's name. */
export interface ScriptPlace {
  url: string;
  line: number;
  column: number;
  name: string;
}

/**
 * Where the code of hilfarm's bundle comes from, through each chunk's inline source map (read once, when first asked).
 * Places outside the bundle, or that a chunk's map does not cover, are undefined.
 */
export class BundleSources {
  /** The source place of a function that starts at `place` (V8 places a function at its parameter list). */
  place(place: ScriptPlace): ScriptPlace | undefined;
  /** The source position of a 0-based line and column of a chunk. */
  position(
    url: string,
    line: number,
    column: number,
  ): { url: string; line: number; column: number } | undefined;
  /** The source line (0-based) of a 0-based line of a chunk, by the last mapping on it. */
  line(url: string, line: number): { url: string; line: number } | undefined;
}

/** `Error.prepareStackTrace` for a process that runs from the bundle: V8's own lines, on the sources' locations. */
export function bundleStackTraces(
  sources?: BundleSources,
): (error: Error, callSites: NodeJS.CallSite[]) => string;
