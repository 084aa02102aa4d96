import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  codeFunction,
  NO_JAVASCRIPT,
  readMapLog,
  UNKNOWN_CODE,
  WINDOW_CLOSE,
  WINDOW_OPEN,
} from "./map-log.ts";

const mapEvent = (pc: string, line: number, column: number, reason: string, name = "", type = "Transition") =>
  `map,${type},100,0x1000,0x2000,${pc},${line},${column},${reason},${name}`;
const marker = (name: string) => mapEvent("0x9000", 5, 3, "CopyAddDescriptor", name);
const code = (start: string, size: number, name: string) =>
  `code-creation,JS,0,50,${start},${size},${name},0x7000,~`;

describe("readMapLog", () => {
  it("counts the map events between the markers, by kind and code, most first", () => {
    const window = readMapLog([
      code("0x100", 0x40, "openSession file:///repo/emulators/platform/session.ts:12:3"),
      code("0x200", 0x10, "afterConnect node:net:300:5"),
      mapEvent("0x110", 14, 7, "CopyAddDescriptor"),
      marker(WINDOW_OPEN),
      mapEvent("0x110", 14, 7, "CopyAddDescriptor", "token"),
      mapEvent("0x120", 14, 7, "CopyAddDescriptor", "key"),
      mapEvent("0x205", 301, 9, "CopyForPreventExtensions"),
      mapEvent("0x0", -1, -1, "", "", "Normalize"),
      mapEvent("0x5000", 1, 1, "CopyAddDescriptor"),
      marker(WINDOW_CLOSE),
      mapEvent("0x110", 14, 7, "CopyAddDescriptor"),
    ]);
    expect(window).toMatchObject({ opened: true, closed: true, events: 5 });
    expect(window.sites).toEqual([
      {
        kind: "Transition: CopyAddDescriptor",
        code: "openSession file:///repo/emulators/platform/session.ts:12:3",
        line: 14,
        column: 7,
        name: "token",
        count: 2,
      },
      {
        kind: "Transition: CopyForPreventExtensions",
        code: "afterConnect node:net:300:5",
        line: 301,
        column: 9,
        name: "",
        count: 1,
      },
      { kind: "Normalize", code: NO_JAVASCRIPT, line: -1, column: -1, name: "", count: 1 },
      { kind: "Transition: CopyAddDescriptor", code: UNKNOWN_CODE, line: 1, column: 1, name: "", count: 1 },
    ]);
  });

  it("follows code the collector moved, and forgets code whose space was reused", () => {
    const window = readMapLog([
      code("0x100", 0x40, "first file:///a.ts:1:1"),
      code("0x300", 0x40, "second file:///a.ts:9:1"),
      "code-move,0x100,0x800",
      code("0x310", 0x8, "third file:///a.ts:20:1"),
      marker(WINDOW_OPEN),
      mapEvent("0x810", 2, 1, "r"),
      mapEvent("0x110", 2, 1, "r"),
      mapEvent("0x312", 21, 1, "r"),
      mapEvent("0x305", 10, 1, "r"),
      marker(WINDOW_CLOSE),
    ]);
    expect(window.sites.map((s) => s.code)).toEqual([
      "first file:///a.ts:1:1",
      UNKNOWN_CODE,
      "third file:///a.ts:20:1",
      UNKNOWN_CODE,
    ]);
  });

  it("reads escaped commas in names, and says when a marker is missing", () => {
    const open = readMapLog([
      code("0x100", 0x40, "f\\x2C g file:///a.ts:1:1"),
      marker(WINDOW_OPEN),
      mapEvent("0x100", 1, 1, "r"),
    ]);
    expect(open).toMatchObject({ opened: true, closed: false, events: 1 });
    expect(open.sites[0]?.code).toBe("f, g file:///a.ts:1:1");
    expect(readMapLog([mapEvent("0x100", 1, 1, "r"), marker(WINDOW_CLOSE)])).toMatchObject({
      opened: false,
      closed: false,
      events: 0,
    });
  });
});

describe("codeFunction", () => {
  it("splits a code name into its function and script", () => {
    expect(codeFunction("send file:///repo/x.ts:12:3")).toEqual({ name: "send", url: "file:///repo/x.ts" });
    expect(codeFunction(" node:net:300:5")).toEqual({ name: "", url: "node:net" });
    expect(codeFunction("encode /repo/node_modules/p/index.js:1:2")).toEqual({
      name: "encode",
      url: "/repo/node_modules/p/index.js",
    });
    expect(codeFunction("StoreIC_Megamorphic")).toEqual({ name: "StoreIC_Megamorphic", url: undefined });
  });
});

describe("map-window.mjs and readMapLog on a real V8 log", () => {
  it("mark a window that holds the map events made inside it, named by their function", () => {
    const dir = mkdtempSync(join(tmpdir(), "hilfarm-map-log-"));
    try {
      const log = join(dir, "v8.log");
      // The preload's listener runs first, then this one: each step starts once the preload has left its mark.
      const script = `
        function outsideTheWindow(i) { const copy = { ...{ a: 1 } }; copy["before" + i] = i; return copy; }
        function insideTheWindow(i) { const copy = { ...{ a: 1 } }; copy["inside" + i] = i; return copy; }
        const kept = [outsideTheWindow(0)];
        let marks = 0;
        // Signal handles do not keep a process alive: this does, until the second mark.
        const alive = setInterval(() => {}, 60000);
        process.on("SIGUSR2", () => {
          if (++marks === 1) {
            for (let i = 0; i < 3; i++) kept.push(insideTheWindow(i));
            process.kill(process.pid, "SIGUSR2");
          } else {
            kept.push(outsideTheWindow(1));
            clearInterval(alive);
          }
        });
        process.kill(process.pid, "SIGUSR2");`;
      execFileSync(process.execPath, [
        "--import",
        fileURLToPath(new URL("./map-window.mjs", import.meta.url)),
        "--log-maps",
        "--log-code",
        "--no-logfile-per-isolate",
        `--logfile=${log}`,
        "-e",
        script,
      ]);
      const window = readMapLog(readFileSync(log, "utf8").split("\n"));
      expect(window).toMatchObject({ opened: true, closed: true });
      const inside = window.sites.filter((site) => site.code.startsWith("insideTheWindow "));
      expect(inside.reduce((sum, site) => sum + site.count, 0)).toBe(3);
      expect(window.sites.some((site) => site.code.startsWith("outsideTheWindow "))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
