import { describe, expect, it } from "vitest";
import { DEVICES_PER_LOCAL_WORKER, devicesPerWorker, localWorkersFor } from "./worker-count.ts";

const perWorker = DEVICES_PER_LOCAL_WORKER;

describe("localWorkersFor", () => {
  it("starts one worker per core for a small fleet", () => {
    expect(localWorkersFor({ devices: 10, platformProcesses: 1, cores: 2, perWorker })).toBe(2);
  });

  it("starts as many workers as the devices need, each within its descriptors", () => {
    expect(localWorkersFor({ devices: 100_000, platformProcesses: 2, cores: 2, perWorker })).toBe(6);
    expect(localWorkersFor({ devices: 50_000, platformProcesses: 1, cores: 2, perWorker })).toBe(3);
    expect(localWorkersFor({ devices: perWorker + 1, platformProcesses: 1, cores: 1, perWorker })).toBe(2);
    expect(localWorkersFor({ devices: 10_000, platformProcesses: 1, cores: 2, perWorker: 870 })).toBe(12);
  });

  it("gives every platform process the same number of workers", () => {
    expect(localWorkersFor({ devices: 100_000, platformProcesses: 4, cores: 2, perWorker })).toBe(8);
    expect(localWorkersFor({ devices: 1_000, platformProcesses: 3, cores: 2, perWorker })).toBe(3);
  });

  it("starts at least one worker", () => {
    expect(localWorkersFor({ devices: 0, platformProcesses: 1, cores: 0, perWorker })).toBe(1);
  });
});

describe("devicesPerWorker", () => {
  it("keeps 15 % of a process's descriptors free, up to 17,000 devices", () => {
    expect(devicesPerWorker(20_000)).toBe(17_000);
    expect(devicesPerWorker(1_048_576)).toBe(17_000);
    expect(devicesPerWorker(1_024)).toBe(870);
    expect(devicesPerWorker(1)).toBe(1);
  });
});
