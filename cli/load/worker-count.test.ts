import { describe, expect, it } from "vitest";
import { DEVICES_PER_LOCAL_WORKER, localWorkersFor } from "./worker-count.ts";

describe("localWorkersFor", () => {
  it("starts one worker per core for a small fleet", () => {
    expect(localWorkersFor({ devices: 10, platformProcesses: 1, cores: 2 })).toBe(2);
  });

  it("starts as many workers as the devices need, each within its descriptors", () => {
    expect(localWorkersFor({ devices: 100_000, platformProcesses: 2, cores: 2 })).toBe(6);
    expect(localWorkersFor({ devices: 50_000, platformProcesses: 1, cores: 2 })).toBe(3);
    expect(localWorkersFor({ devices: DEVICES_PER_LOCAL_WORKER + 1, platformProcesses: 1, cores: 1 })).toBe(
      2,
    );
  });

  it("gives every platform process the same number of workers", () => {
    expect(localWorkersFor({ devices: 100_000, platformProcesses: 4, cores: 2 })).toBe(8);
    expect(localWorkersFor({ devices: 1_000, platformProcesses: 3, cores: 2 })).toBe(3);
  });

  it("starts at least one worker", () => {
    expect(localWorkersFor({ devices: 0, platformProcesses: 1, cores: 0 })).toBe(1);
  });
});
