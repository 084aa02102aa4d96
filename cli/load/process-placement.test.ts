import { delimiter, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allowedCpus,
  findProgram,
  idleClass,
  onCpus,
  parseCpuList,
  separateCpus,
  splitCpus,
} from "./process-placement.ts";

describe("parseCpuList", () => {
  it("reads Linux CPU lists: single CPUs and ranges, in any order, once each", () => {
    expect(parseCpuList("0")).toEqual([0]);
    expect(parseCpuList("0-3")).toEqual([0, 1, 2, 3]);
    expect(parseCpuList("6,0-1,4-5\n")).toEqual([0, 1, 4, 5, 6]);
    expect(parseCpuList("2,2,1-2")).toEqual([1, 2]);
  });

  it("refuses anything else, quoting it", () => {
    for (const bad of ["", "a", "1-", "3-1", "0,,1", "-1"])
      expect(() => parseCpuList(bad)).toThrow(`not a CPU list: ${JSON.stringify(bad)}`);
  });
});

describe("allowedCpus", () => {
  it("reads Cpus_allowed_list, not Cpus_allowed or Mems_allowed_list", () => {
    const status = "Name:\tnode\nCpus_allowed:\tff\nCpus_allowed_list:\t0-2,5\nMems_allowed_list:\t0\n";
    expect(allowedCpus(status)).toEqual([0, 1, 2, 5]);
    expect(() => allowedCpus("Name:\tnode\n")).toThrow("no Cpus_allowed_list line");
  });
});

describe("splitCpus", () => {
  it("gives the platform the first half, rounded up, and the workers the rest", () => {
    expect(splitCpus([0, 1])).toEqual({ platform: [0], workers: [1] });
    expect(splitCpus([0, 1, 2])).toEqual({ platform: [0, 1], workers: [2] });
    expect(splitCpus([2, 3, 6, 7])).toEqual({ platform: [2, 3], workers: [6, 7] });
  });

  it("refuses fewer than two CPUs, naming how many this process may use", () => {
    expect(() => splitCpus([3])).toThrow(
      "--separate-cpus needs at least 2 CPUs, and this process may use 1 (3)",
    );
    expect(() => splitCpus([])).toThrow("may use 0 (none)");
  });
});

describe("findProgram, onCpus and idleClass", () => {
  it("finds a program on PATH, and nothing on a PATH without it", () => {
    const found = findProgram("taskset");
    expect(found).toMatch(/\/taskset$/);
    expect(findProgram("taskset", ["/nonexistent", dirname(found as string)].join(delimiter))).toBe(found);
    expect(findProgram("taskset", "/nonexistent")).toBeUndefined();
    expect(findProgram("taskset", "")).toBeUndefined();
  });

  it("runs a command under taskset -c with the CPU list, or chrt --idle 0", () => {
    expect(onCpus("/usr/bin/taskset", [0, 2])).toEqual(["/usr/bin/taskset", "-c", "0,2"]);
    expect(idleClass()).toEqual([findProgram("chrt"), "--idle", "0"]);
  });
});

describe("separateCpus", () => {
  it("splits the CPUs this process may use, with this machine's taskset", () => {
    const split = separateCpus();
    expect(split.platform.length).toBeGreaterThanOrEqual(1);
    expect(split.workers.length).toBeGreaterThanOrEqual(1);
    expect(split.platform.some((cpu) => split.workers.includes(cpu))).toBe(false);
    expect(split.taskset).toBe(findProgram("taskset"));
  });

  it("says taskset or chrt is missing, and where to get it, when PATH has none", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => separateCpus()).toThrow(
        /--separate-cpus needs taskset \(Debian and Ubuntu: apt-get install util-linux\)/,
      );
      expect(() => idleClass()).toThrow(
        /--idle-workers needs chrt \(Debian and Ubuntu: apt-get install util-linux\)/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
