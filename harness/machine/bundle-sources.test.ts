import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporaryProject } from "../testing/temp-project.ts";
import { BundleSources } from "./bundle-sources.mjs";

const inlineMap = (map: unknown) =>
  `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;

let root: string;
const chunk = (name: string) => pathToFileURL(join(root, "hilfarm-bundle", "0", name)).href;

/** Chunks as bin/bundle.mjs writes them (a source per line here), and some it never would. */
beforeAll(async () => {
  root = await temporaryProject("hilfarm-sources-", {
    // Line 0 maps to ../../src/a.ts line 4, column 2 ("AAIE": source 0, line +4, column +2).
    "hilfarm-bundle/0/good.js": `function a() {}\n${inlineMap({ version: 3, sources: ["../../src/a.ts"], names: [], mappings: "AAIE" })}`,
    "hilfarm-bundle/0/unreadable-map.js": `function a() {}\n${inlineMap({})}`,
    "hilfarm-bundle/0/no-map.js": "function a() {}\n",
    "elsewhere/good.js": `function a() {}\n${inlineMap({ version: 3, sources: ["a.ts"], names: [], mappings: "AAAA" })}`,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("BundleSources", () => {
  it("places a chunk's position in its source", () => {
    expect(new BundleSources().position(chunk("good.js"), 0, 9)).toEqual({
      url: pathToFileURL(join(root, "src/a.ts")).href,
      line: 4,
      column: 2,
    });
  });

  it("places nothing, and throws nothing, where a chunk or its map cannot be read, or outside the bundle", () => {
    const sources = new BundleSources();
    for (const url of [
      chunk("unreadable-map.js"),
      chunk("no-map.js"),
      chunk("missing.js"),
      pathToFileURL(join(root, "elsewhere/good.js")).href,
      "node:internal/timers",
    ])
      expect(sources.position(url, 0, 0), url).toBeUndefined();
    // A line the map does not reach.
    expect(sources.position(chunk("good.js"), 1, 0)).toBeUndefined();
  });
});
