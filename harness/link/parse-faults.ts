import { showValue, UsageError } from "../errors.ts";
import { type LinkFaults, noFaults } from "./faults.ts";

const numeric: Record<string, { key: keyof LinkFaults; min: number; max: number }> = {
  latency: { key: "latencyMs", min: 0, max: 3_600_000 },
  jitter: { key: "jitterMs", min: 0, max: 3_600_000 },
  drop: { key: "drop", min: 0, max: 1 },
  duplicate: { key: "duplicate", min: 0, max: 1 },
  reorder: { key: "reorder", min: 0, max: 1 },
  corrupt: { key: "corrupt", min: 0, max: 1 },
  bandwidth: { key: "bandwidthBytesPerSecond", min: 0, max: 1e12 },
  "slow-close": { key: "slowCloseMs", min: 0, max: 3_600_000 },
};

/**
 * `latency=200,jitter=50,drop=0.05,direction=up` -> link faults. Times in ms, probabilities 0..1, bandwidth in
 * bytes per second. An unknown name or a value out of range is an error naming it.
 */
export function parseFaults(text: string): Partial<LinkFaults> {
  const faults: Partial<LinkFaults> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = "", value = ""] = part.split("=", 2).map((s) => s.trim());
    if (name === "direction") {
      if (value !== "up" && value !== "down" && value !== "both") {
        throw new UsageError(
          "faults",
          `--faults direction must be up, down or both, got ${showValue(value)}`,
        );
      }
      faults.direction = value;
      continue;
    }
    const spec = numeric[name];
    if (spec === undefined) {
      throw new UsageError(
        "faults",
        `--faults: unknown fault ${showValue(name)} (known: ${[...Object.keys(numeric), "direction"].join(", ")})`,
      );
    }
    const n = Number(value);
    if (value === "" || !Number.isFinite(n) || n < spec.min || n > spec.max) {
      throw new UsageError(
        "faults",
        `--faults ${name} must be a number in ${spec.min}..${spec.max}, got ${showValue(value)}`,
      );
    }
    (faults as Record<string, number>)[spec.key] = n;
  }
  return { ...noFaults(), ...faults };
}
