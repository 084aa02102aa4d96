/**
 * The target `hilfarm run --target` chose, as the suites see it (HILFARM_TARGET). Suites that can run against any
 * target call `takesTarget()`; the others need hilfarm's own platform and devices on virtual time, and report
 * themselves not applicable when the target is someone else's.
 */
let aware = false;

export function takesTarget(): string {
  aware = true;
  return process.env.HILFARM_TARGET ?? "emulated";
}

export function suiteTakesTarget(): boolean {
  return aware;
}

/**
 * Forgets that a suite took the target. Test files share their process, and this module with it (vitest.config.ts):
 * the vitest setup calls this before each file, so that a file that takes no target does not inherit the last one's.
 */
export function forgetTakenTarget(): void {
  aware = false;
}

/** The target when it is not hilfarm's emulated one. */
export function externalTarget(): string | undefined {
  const target = process.env.HILFARM_TARGET;
  return target === undefined || target === "emulated" || target.startsWith("emulated?") ? undefined : target;
}
