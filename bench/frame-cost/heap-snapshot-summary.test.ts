import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type HeapSnapshot, perDevice, summarizeHeapSnapshot } from "./heap-snapshot-summary.ts";

/** A snapshot of three nodes in V8's layout: two objects named Device and a string. */
const tiny: HeapSnapshot = {
  snapshot: {
    meta: {
      node_fields: ["type", "name", "id", "self_size", "edge_count"],
      node_types: [["hidden", "array", "string", "object"]],
    },
  },
  nodes: [3, 0, 1, 40, 0, 3, 0, 3, 24, 0, 2, 1, 5, 16, 0],
  strings: ["Device", "hello"],
};

describe("a heap snapshot's summary", () => {
  it("adds every node's self size and counts it, by type and name, strings as one group", () => {
    const summary = summarizeHeapSnapshot(tiny);
    expect(summary).toEqual({
      bytes: 80,
      objects: 3,
      groups: [
        { group: "object:Device", bytes: 64, objects: 2 },
        { group: "string", bytes: 16, objects: 1 },
      ],
    });
    expect(perDevice(summary, 2)).toEqual({
      bytes: 40,
      objects: 1.5,
      groups: [
        { group: "object:Device", bytes: 32, objects: 1 },
        { group: "string", bytes: 8, objects: 0.5 },
      ],
    });
  });

  it("refuses what is not a heap snapshot, and a count of no devices", () => {
    const wrong = { ...tiny, snapshot: { meta: { node_fields: ["id"], node_types: [["hidden"]] } } };
    expect(() => summarizeHeapSnapshot(wrong as HeapSnapshot)).toThrow(/not a V8 heap snapshot/);
    expect(() => perDevice(summarizeHeapSnapshot(tiny), 0)).toThrow("devices must be positive, got 0");
  });

  it("reads a snapshot V8 wrote, and finds the objects a process keeps by their class", async () => {
    // A fresh process: this test process's own heap (test files share one) would make a snapshot of minutes.
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-heap-summary-"));
    try {
      const file = join(dir, "held.heapsnapshot");
      const script = [
        "class HeldForTheSnapshot { constructor(n) { this.n = n; } }",
        "globalThis.held = Array.from({ length: 1000 }, (_, i) => new HeldForTheSnapshot(i));",
        `require("node:v8").writeHeapSnapshot(${JSON.stringify(file)});`,
      ].join("\n");
      execFileSync(process.execPath, ["-e", script]);
      const summary = summarizeHeapSnapshot(JSON.parse(await readFile(file, "utf8")) as HeapSnapshot);
      const group = summary.groups.find((g) => g.group === "object:HeldForTheSnapshot");
      expect(group?.objects).toBe(1000);
      expect(summary.bytes).toBeGreaterThan(group?.bytes ?? Number.POSITIVE_INFINITY);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
