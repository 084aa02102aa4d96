import { execFileSync } from "node:child_process";

/**
 * `git describe`-like name of a checkout: its commit, and whether its tree has changes other than to
 * docs/benchmarks.md, which the benchmarks themselves write.
 */
export function revisionOf(dir: string): string {
  try {
    const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks.md") === "" ? "" : " with changes"}`;
  } catch {
    return "not a git checkout";
  }
}
