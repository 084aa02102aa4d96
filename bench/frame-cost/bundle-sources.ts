import { BundleSources } from "../../harness/machine/bundle-sources.mjs";

/**
 * A perf frame of hilfarm's bundle named as its source has it (harness/machine/bundle-sources.mjs): `JS:*send2
 * file:///…/hilfarm-bundle/<hash>/chunk-X.js:923:15` reads `JS:*send file:///…/scenarios/hostile/aqara-api-wire.ts:87:10`.
 * Any other frame, or one the bundle's maps do not place, is returned as it came.
 */
export function bundleFrameNamer(sources = new BundleSources()): (symbol: string) => string {
  return (symbol) => {
    const frame = /^(?<head>JS:[*~^+]?)(?<name>\S*) (?<url>file:\/\/\S+?):(?<line>\d+):(?<column>\d+)$/.exec(
      symbol,
    )?.groups;
    if (frame === undefined) return symbol;
    const { head, name, url, line, column } = frame as {
      [part in "head" | "name" | "url" | "line" | "column"]: string;
    };
    const place = sources.place({ url, line: Number(line) - 1, column: Number(column) - 1, name });
    return place === undefined
      ? symbol
      : `${head}${place.name} ${place.url}:${place.line + 1}:${place.column + 1}`;
  };
}
