import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const socats = new Set<ChildProcess>();

/** Fails with what to install when socat is missing (Debian's socat; .ci/run installs it). */
export function requireSocat(): void {
  if (spawnSync("socat", ["-V"]).error !== undefined)
    throw new Error("socat not found: install Debian's socat (apt-get install socat; .ci/run does)");
}

/** Ends every pair a test made. */
export function killPtyPairs(): void {
  for (const socat of socats) socat.kill("SIGKILL");
  socats.clear();
}

/** A pseudo-terminal pair at `<dir>/<name>-dev` and `<dir>/<name>-lab`, as a null-modem cable between two ports. */
export async function ptyPair(
  dir: string,
  name: string,
): Promise<{ dev: string; lab: string; unplug(): Promise<void> }> {
  const dev = join(dir, `${name}-dev`);
  const lab = join(dir, `${name}-lab`);
  const socat = spawn("socat", [`pty,raw,echo=0,link=${dev}`, `pty,raw,echo=0,link=${lab}`]);
  socats.add(socat);
  await new Promise<void>((resolve) => {
    const check = () => (existsSync(dev) && existsSync(lab) ? resolve() : setTimeout(check, 20));
    check();
  });
  return {
    dev,
    lab,
    unplug: async () => {
      const gone = new Promise((resolve) => socat.once("exit", resolve));
      socat.kill("SIGTERM");
      await gone;
      socats.delete(socat);
    },
  };
}
