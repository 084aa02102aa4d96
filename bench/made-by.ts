/**
 * How a section says which command made it: its own command, or, when `npm run bench` ran it among the aims'
 * benchmarks (npm names the script in `npm_lifecycle_event`), that command with its own beside it.
 */
export function madeBy(ownCommand: string): string {
  return process.env.npm_lifecycle_event === "bench"
    ? `\`npm run bench\` (which runs \`${ownCommand}\`)`
    : `\`${ownCommand}\``;
}
