import { describe, expect, it } from "vitest";
import { NO_JAVASCRIPT_FRAME, parsePerfScript, placeOf, tally } from "./perf-script.ts";

/** `perf script -F tid,ip,sym,dso` as it prints: a thread id, then one tab-indented line per frame, leaf first. */
const script = [
  "   13564 ",
  "\t    55d1c0a0b1c2 Builtins_LoadIC (/usr/bin/node)",
  "\t    7f3a00001000 JS:*onLine file:///work/main/harness/link/tcp-link.ts:42:7 (inlined)",
  "\t    7f3a00002000 JS:*deliver file:///work/main/harness/link/link-base.ts:10:3 (/tmp/perf-13564.map)",
  "\t    7f3a00003000 uv__io_poll (/usr/bin/node)",
  "",
  "   13570 ",
  "\t ffffffff81001000 clear_page_erms ([kernel.kallsyms])",
  "\t ffffffff81002000 exc_page_fault ([kernel.kallsyms])",
  "\t    7f3a00004000 JS:~encodeFrame file:///work/main/harness/protocol/mc/codec.ts:7:1 (/tmp/perf-13570.map)",
  "",
  "   13571 ",
  "   13572 ",
  "\t    7f0000000001 [unknown] ([unknown])",
  "\t    7f0000000002 start_thread",
  "",
].join("\n");

describe("parsePerfScript", () => {
  it("reads each sample's frames, leaf first, with the checkout's root cut from JavaScript file names", () => {
    const samples = parsePerfScript(script, "/work/main");
    expect(samples).toHaveLength(3);
    expect(samples[0]?.frames).toEqual([
      { symbol: "Builtins_LoadIC", dso: "/usr/bin/node" },
      { symbol: "JS:*onLine harness/link/tcp-link.ts:42:7", dso: "inlined" },
      { symbol: "JS:*deliver harness/link/link-base.ts:10:3", dso: "/tmp/perf-13564.map" },
      { symbol: "uv__io_poll", dso: "/usr/bin/node" },
    ]);
    expect(samples[1]?.frames.map((f) => f.symbol)).toEqual([
      "clear_page_erms",
      "exc_page_fault",
      "JS:~encodeFrame harness/protocol/mc/codec.ts:7:1",
    ]);
    // A header with no frames is no sample; a frame without "(dso)" has none.
    expect(samples[2]?.frames).toEqual([
      { symbol: "[unknown]", dso: "[unknown]" },
      { symbol: "start_thread", dso: "" },
    ]);
    // Each sample keeps its header: what `-F` asked for before the stack (here the thread id).
    expect(samples.map((s) => s.header)).toEqual(["13564", "13570", "13572"]);
    expect(parsePerfScript(script, "/work/main/")).toEqual(samples);
    expect(parsePerfScript("", "/work/main")).toEqual([]);
  });
});

describe("tally", () => {
  it("counts where the leaf ran (an inlined frame in the next real frame's code), the nearest JavaScript function and the leaf", () => {
    const { where, nearestJs, leaf } = tally(parsePerfScript(script, "/work/main"));
    expect(Object.fromEntries(where)).toEqual({
      "node binary (V8, libuv, OpenSSL, builtins)": 1,
      kernel: 1,
      unknown: 1,
    });
    expect(Object.fromEntries(nearestJs)).toEqual({
      "*onLine harness/link/tcp-link.ts": 1,
      "~encodeFrame harness/protocol/mc/codec.ts": 1,
      "(no JavaScript frame)": 1,
    });
    expect(Object.fromEntries(leaf)).toEqual({ Builtins_LoadIC: 1, clear_page_erms: 1, "[unknown]": 1 });
  });

  it("files each leaf's samples under the nearest JavaScript function that called it", () => {
    const frame = (symbol: string, dso: string) => ({ symbol, dso });
    const builtin = frame("Builtins_FindOrderedHashMapEntry", "/usr/bin/node");
    const samples = [
      {
        frames: [
          builtin,
          frame("Builtins_MapPrototypeGet", "/usr/bin/node"),
          frame("JS:*get a.ts:1:1", "/tmp/perf-1.map"),
        ],
      },
      { frames: [builtin, frame("JS:*get a.ts:1:1", "/tmp/perf-1.map")] },
      {
        frames: [
          builtin,
          frame("JS:~touch b.ts:2:2", "/tmp/perf-1.map"),
          frame("JS:*get a.ts:1:1", "/tmp/perf-1.map"),
        ],
      },
      { frames: [builtin] },
      { frames: [frame("JS:*get a.ts:1:1", "/tmp/perf-1.map")] },
    ];
    const { leafCallers } = tally(samples);
    expect(Object.fromEntries(leafCallers.get("Builtins_FindOrderedHashMapEntry") ?? [])).toEqual({
      "*get a.ts": 2,
      "~touch b.ts": 1,
      [NO_JAVASCRIPT_FRAME]: 1,
    });
    expect(Object.fromEntries(leafCallers.get("*get a.ts") ?? [])).toEqual({ "*get a.ts": 1 });
  });

  it("names where code lives from its object", () => {
    expect(placeOf("[kernel.kallsyms]")).toBe("kernel");
    expect(placeOf("/tmp/perf-13564.map")).toBe("JavaScript, JIT-compiled");
    expect(placeOf("/usr/bin/node")).toBe("node binary (V8, libuv, OpenSSL, builtins)");
    expect(placeOf("/usr/lib/x86_64-linux-gnu/libc.so.6")).toBe("libc (malloc, system call stubs)");
    expect(placeOf("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30")).toBe("libstdc++.so.6.0.30");
    expect(placeOf("")).toBe("unknown");
    expect(placeOf("[unknown]")).toBe("unknown");
  });
});
