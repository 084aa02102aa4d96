import { cpus, totalmem } from "node:os";

/** Set by `npm run bench` (bench/aims.bench.ts) before it imports the benchmarks it runs. */
export const aimsRun = { active: false };

/**
 * How a section says which command made it: its own command, or, when `npm run bench` ran its file among the aims'
 * benchmarks, that command, with its own for running it alone.
 */
export function madeBy(ownCommand: string, file: string): string {
  return aimsRun.active
    ? `\`npm run bench\` (${file}; alone: \`${ownCommand}\`)`
    : `\`${ownCommand}\` (${file})`;
}

/** The machine a benchmark ran on, as every section names it: cores x CPU model, memory, Node's version, the date. */
export function machineDescription(): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}
