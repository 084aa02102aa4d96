import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allocationSites,
  allocationsByOurs,
  bytesOf,
  type SampledNode,
  sampledProfilesIn,
  sourceFunctionNamer,
} from "./allocation-sites.ts";

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});
const node = (callFrame: SampledNode["callFrame"], selfSize: number, children: SampledNode[] = []) => ({
  callFrame,
  selfSize,
  children,
});

const ROOT = "/work/checkout";
const login = frame("login", `file://${ROOT}/emulators/device/login.ts`, 9);
const encode = frame("encodeFrame", `file://${ROOT}/harness/protocol/mc/codec.ts`, 41);
const from = frame("from", "node:buffer", 300);
const parse = frame("parse", "");
const zod = frame("parse", `${ROOT}/node_modules/zod/lib/types.js`, 99);

// (root) -> login (64 B) -> encodeFrame (128 B) -> Buffer.from (512 B); login -> JSON.parse (256 B); (root) -> zod (32 B)
const profile: SampledNode = node(frame("(root)", ""), 0, [
  node(login, 64, [node(encode, 128, [node(from, 512)]), node(parse, 256)]),
  node(zod, 32),
]);

describe("allocationSites", () => {
  const sites = allocationSites(profile, sourceFunctionNamer(ROOT));

  it("counts every byte of the profile once", () => {
    expect(bytesOf(profile)).toBe(992);
    expect(sites.reduce((sum, s) => sum + s.bytes, 0)).toBe(992);
  });

  it("gives each allocating function the nearest of the project's own functions on its stack, largest first", () => {
    expect(sites).toEqual([
      { site: "from node:buffer", ours: "encodeFrame harness/protocol/mc/codec.ts:42", bytes: 512 },
      { site: "parse", ours: "login emulators/device/login.ts:10", bytes: 256 },
      {
        site: "encodeFrame harness/protocol/mc/codec.ts:42",
        ours: "encodeFrame harness/protocol/mc/codec.ts:42",
        bytes: 128,
      },
      { site: "login emulators/device/login.ts:10", ours: "login emulators/device/login.ts:10", bytes: 64 },
      // A package's function (a CommonJS module, named by its path) is not the project's: nothing of ours is on its stack.
      { site: "parse node_modules/zod/lib/types.js:100", ours: "(none)", bytes: 32 },
    ]);
  });

  it("adds up one function's bytes from the same caller however many stacks reach it", () => {
    const twice = node(frame("(root)", ""), 0, [
      node(login, 0, [node(from, 10)]),
      node(login, 0, [node(from, 5)]),
    ]);
    expect(allocationSites(twice, sourceFunctionNamer(ROOT))).toEqual([
      { site: "from node:buffer", ours: "login emulators/device/login.ts:10", bytes: 15 },
    ]);
  });
});

describe("allocationsByOurs", () => {
  it("sums the sites by the nearest of the project's functions, each with its largest site", () => {
    expect(allocationsByOurs(allocationSites(profile, sourceFunctionNamer(ROOT)))).toEqual([
      {
        ours: "encodeFrame harness/protocol/mc/codec.ts:42",
        bytes: 640,
        largest: { site: "from node:buffer", bytes: 512 },
      },
      {
        ours: "login emulators/device/login.ts:10",
        bytes: 320,
        largest: { site: "parse", bytes: 256 },
      },
      { ours: "(none)", bytes: 32, largest: { site: "parse node_modules/zod/lib/types.js:100", bytes: 32 } },
    ]);
  });
});

describe("sampledProfilesIn", () => {
  it("reads the profiles written whole, each with its process's role, and nothing else of the directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-sampled-"));
    try {
      await writeFile(join(dir, "heap-worker-101.json"), JSON.stringify({ head: profile }));
      await writeFile(join(dir, "heap-bare-client-102.json"), JSON.stringify({ head: profile }));
      // Still being written (heap-sampler.mjs names it once whole), and another benchmark's file.
      await writeFile(join(dir, "heap-platform-103.json.part"), "{");
      await writeFile(join(dir, "fleet.json"), "{}");
      const read = await sampledProfilesIn(dir);
      expect(read.map(({ file, role }) => [file, role]).sort()).toEqual([
        ["heap-bare-client-102.json", "bare-client"],
        ["heap-worker-101.json", "worker"],
      ]);
      expect(read.map(({ head }) => bytesOf(head))).toEqual([992, 992]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
