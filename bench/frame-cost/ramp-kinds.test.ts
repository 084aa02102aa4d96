import { afterEach, describe, expect, it } from "vitest";
import { parsePerfScript } from "./perf-script.ts";
import {
  kindsByRole,
  monotonicSecondsOf,
  processAndTime,
  RAMP_PERF_FREQUENCY,
  rampKindsTable,
  rampPerfAsked,
} from "./ramp-kinds.ts";

/** `perf script -F pid,time,ip,sym,dso` as it prints: the process and the time, then the stack, leaf first. */
const script = [
  "   100 5000.250000: ",
  "\t    55d1c0a0b1c2 v8::internal::Scavenger::ScavengeObject (/usr/bin/node)",
  "",
  "   100 5001.000000: ",
  "\t    7f3a00002000 JS:*deliver file:///work/main/harness/link/link-base.ts:10:3 (/tmp/perf-100.map)",
  "",
  "   200 5001.500000: ",
  "\t ffffffff81001000 udp_sendmsg ([kernel.kallsyms])",
  "",
  // Outside the window, and a process of no role.
  "   200 5009.000000: ",
  "\t ffffffff81001000 udp_sendmsg ([kernel.kallsyms])",
  "",
  "   300 5001.000000: ",
  "\t ffffffff81001000 udp_sendmsg ([kernel.kallsyms])",
  "",
].join("\n");

const roles = new Map([
  [100, "platform"],
  [200, "workers"],
]);

describe("processAndTime", () => {
  it("reads a sample's process and time from its header, and nothing from a header without them", () => {
    const [first] = parsePerfScript(script, "/work/main");
    expect(first === undefined ? undefined : processAndTime(first)).toEqual({ pid: 100, seconds: 5000.25 });
    expect(processAndTime({ frames: [], header: "13564" })).toBeUndefined();
    expect(processAndTime({ frames: [] })).toBeUndefined();
  });
});

describe("kindsByRole and rampKindsTable", () => {
  it("counts each role's samples in the window by kind, and gives µs per device", () => {
    const byRole = kindsByRole(parsePerfScript(script, "/work/main"), (pid) => roles.get(pid), 5000, 5002);
    expect(byRole.get("platform")?.get("garbage collection (V8's collector, every thread)")).toBe(1);
    expect(byRole.get("platform")?.get("JavaScript, JIT-compiled")).toBe(1);
    expect(byRole.get("workers")?.get("kernel: network (sockets, TCP/UDP/IP, soft interrupts)")).toBe(1);
    expect([...byRole.keys()].sort()).toEqual(["platform", "workers"]);

    // One sample is 1/99 s of CPU: over 10 devices, 1,010 µs each.
    const table = rampKindsTable(byRole, ["platform", "workers"], 10);
    const oneSample = Math.round(1e6 / RAMP_PERF_FREQUENCY / 10).toLocaleString("en-US");
    expect(oneSample).toBe("1,010");
    expect(table[0]).toBe("| kind of work | platform | workers | all |");
    expect(table).toContain(
      `| garbage collection (V8's collector, every thread) | ${oneSample} | 0 | ${oneSample} |`,
    );
    expect(table.at(-1)).toBe(`| **all** | 2,020 | ${oneSample} | 3,030 |`);
  });
});

describe("monotonicSecondsOf", () => {
  it("puts a wall-clock moment on the clock process.hrtime reads", () => {
    const now = Number(process.hrtime.bigint()) / 1e9;
    expect(Math.abs(monotonicSecondsOf(Date.now()) - now)).toBeLessThan(0.05);
    expect(monotonicSecondsOf(Date.now() + 2000) - monotonicSecondsOf(Date.now())).toBeCloseTo(2, 1);
  });
});

describe("rampPerfAsked", () => {
  const before = process.env.BENCH_RAMP_PERF;
  afterEach(() => {
    if (before === undefined) delete process.env.BENCH_RAMP_PERF;
    else process.env.BENCH_RAMP_PERF = before;
  });

  it("is asked by 1, not by nothing or 0, and refuses anything else by name", () => {
    delete process.env.BENCH_RAMP_PERF;
    expect(rampPerfAsked()).toBe(false);
    process.env.BENCH_RAMP_PERF = "0";
    expect(rampPerfAsked()).toBe(false);
    process.env.BENCH_RAMP_PERF = "1";
    expect(rampPerfAsked()).toBe(true);
    process.env.BENCH_RAMP_PERF = "yes";
    expect(() => rampPerfAsked()).toThrow(
      'BENCH_RAMP_PERF must be 1 (record the ramp with perf) or unset, got "yes"',
    );
  });
});
