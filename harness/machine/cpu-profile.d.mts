import type { BundleSources } from "./bundle-sources.mjs";

/** The parts of V8's `.cpuprofile` that name code. */
export interface CpuProfile {
  nodes: Array<{
    callFrame: {
      functionName: string;
      scriptId: string;
      url: string;
      lineNumber: number;
      columnNumber: number;
    };
    positionTicks?: Array<{ line: number; ticks: number }>;
  }>;
}

/** Names a profile's bundle frames by their sources; returns the number of frames renamed. */
export function nameBundleSources(profile: CpuProfile, sources?: BundleSources): number;

/** `<name>.<yyyymmdd>.<hhmmss>.<pid>.cpuprofile`, in UTC. */
export function profileFileName(name: string, startedAt: Date, pid: number): string;

/** Samples this process until it exits, then writes its profile to `dir`, the bundle's frames named by source. */
export function profileUntilExit(options: { dir: string; name: string; intervalUs?: number }): void;
