import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  checkedFolders,
  describeViolation,
  folderCycles,
  folderGraph,
  importsOf,
  layerViolations,
  sourceFiles,
} from "./layer-rules.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tree = sourceFiles(root, checkedFolders);
const edges = tree.flatMap(({ file, source }) => importsOf(file, source));

describe("imports go one way: harness -> emulators -> reports -> scenarios -> cli (docs/architecture.md)", () => {
  it("reads the whole tree", () => {
    expect(tree.length).toBeGreaterThan(250);
    expect(edges.length).toBeGreaterThan(1000);
  });

  it("no file imports a layer above its own, testing/ support only from tests, examples nothing of hilfarm", () => {
    expect(layerViolations(edges).map(describeViolation)).toEqual([]);
  });

  it("no cycle among the folders of a layer", () => {
    expect(folderCycles(folderGraph(edges))).toEqual([]);
  });
});

describe("the rule fails on a planted import, naming the file, the line and the import", () => {
  const plant = (file: string, source: string): string[] =>
    layerViolations(importsOf(file, source)).map(describeViolation);

  it("a static import upward", () => {
    expect(plant("harness/clock/planted.ts", 'import { main } from "../../cli/main.ts";\n')).toEqual([
      'harness/clock/planted.ts:1 imports "../../cli/main.ts" (cli/main.ts): harness/ may not import cli/ (a layer above it)',
    ]);
  });

  it("a dynamic import and an import type, in a test too", () => {
    const source = [
      "export async function f(): Promise<unknown> {",
      '  return import("../../scenarios/conformance/clause.ts");',
      "}",
      'export type P = import("../../reports/model.ts").RunReport;',
    ].join("\n");
    expect(plant("emulators/device/planted.test.ts", source)).toEqual([
      'emulators/device/planted.test.ts:2 imports "../../scenarios/conformance/clause.ts" (scenarios/conformance/clause.ts): emulators/ may not import scenarios/ (a layer above it)',
      'emulators/device/planted.test.ts:4 imports "../../reports/model.ts" (reports/model.ts): emulators/ may not import reports/ (a layer above it)',
    ]);
  });

  it("shipped code on testing/ support, and an independent peer on hilfarm's code", () => {
    expect(
      plant("emulators/device/planted.ts", 'export * from "../platform/testing/fixtures.ts";\n'),
    ).toEqual([
      'emulators/device/planted.ts:1 imports "../platform/testing/fixtures.ts" (emulators/platform/testing/fixtures.ts): testing/ support is for tests only',
    ]);
    expect(plant("emulators/device/planted.ts", 'import "../../examples/clients/ct-device.mjs";\n')).toEqual([
      'emulators/device/planted.ts:1 imports "../../examples/clients/ct-device.mjs" (examples/clients/ct-device.mjs): emulators/ may not import examples/',
    ]);
    expect(plant("examples/clients/planted.mjs", 'import "../../harness/errors.ts";\n')).toEqual([
      'examples/clients/planted.mjs:1 imports "../../harness/errors.ts" (harness/errors.ts): examples/ is written from the spec alone and imports nothing of hilfarm',
    ]);
  });

  it("a cycle between two folders", () => {
    const planted = [
      ...edges,
      ...importsOf("harness/clock/planted.ts", 'import "../random/random.ts";\n'),
      ...importsOf("harness/random/planted.ts", 'import "../clock/clock.ts";\n'),
    ];
    // Reported from whichever folder the search reaches first, possibly through others.
    const cycles = folderCycles(folderGraph(planted));
    expect(cycles.some((c) => c.includes("harness/clock") && c.includes("harness/random"))).toBe(true);
    expect(folderCycles(folderGraph(edges))).toEqual([]);
  });
});
