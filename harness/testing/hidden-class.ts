import { setFlagsFromString } from "node:v8";

/**
 * V8's own check that two objects share one hidden class (`%HaveSameMap`), compiled while natives syntax is on and
 * turned off again after, as the test files share their process. For tests of objects the process keeps by the
 * thousand: one class each is memory the collector marks and a shape new to the compiled code's inline caches.
 */
export function sameHiddenClassCheck(): (a: unknown, b: unknown) => boolean {
  setFlagsFromString("--allow-natives-syntax");
  try {
    return new Function("a", "b", "return %HaveSameMap(a, b)") as (a: unknown, b: unknown) => boolean;
  } finally {
    setFlagsFromString("--no-allow-natives-syntax");
  }
}

/**
 * How many hidden classes `objects` have between them (V8's `%HaveSameMap`). The first objects of a kind may take
 * classes of their own while V8's caches warm up: count the classes, do not compare with the first.
 */
export function hiddenClassesAmong(objects: readonly unknown[]): number {
  const sameMap = sameHiddenClassCheck();
  const classes: unknown[] = [];
  for (const object of objects) if (!classes.some((known) => sameMap(known, object))) classes.push(object);
  return classes.length;
}
