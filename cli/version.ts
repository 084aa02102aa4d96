import { readFileSync } from "node:fs";

/** hilfarm's version, from package.json: printed by `--version` and in every report. */
export const version: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** What a report says about the harness that wrote it. */
export function harnessInfo(): { name: "hilfarm"; version: string; node: string; os: string } {
  return { name: "hilfarm", version, node: process.version, os: `${process.platform} ${process.arch}` };
}
