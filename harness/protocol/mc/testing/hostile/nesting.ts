import fc from "fast-check";
import { bodyWith } from "./bodies.ts";
import type { KindArbitraries } from "./kinds.ts";
import { guarded, line } from "./seal.ts";
import type { HostileSetup } from "./setup.ts";

/** Deep nesting (the crash): in the clear envelope, and in a body sealed so it reaches the JSON parser. */
export function nestingKinds(setup: HostileSetup): KindArbitraries {
  const { maxDepth, context, tokenClear, someData } = setup;
  const kinds: KindArbitraries = {};
  const depth = fc.oneof(
    fc.constantFrom(33, 1000, 4500, 5000, maxDepth).map((d) => Math.min(d, maxDepth)),
    fc.integer({ min: 1, max: maxDepth }),
  );
  const nest = fc
    .tuple(depth, fc.constantFrom("array", "object", "mixed", "open-only"))
    .map(([n, shape]): string => {
      switch (shape) {
        case "array":
          return "[".repeat(n) + "]".repeat(n);
        case "object":
          return `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
        case "mixed":
          return `${'[{"a":'.repeat(Math.ceil(n / 2))}1${"}]".repeat(Math.ceil(n / 2))}`;
        default:
          return "[".repeat(n);
      }
    });

  kinds["deep-envelope"] = fc
    .tuple(nest, fc.constantFrom("bare", "code", "extra", "data", "base64"))
    .map(([n, where]) => {
      switch (where) {
        case "bare":
          return line(n);
        case "code":
          return line(`{"code":${n},"data":"${someData}"}`);
        case "extra":
          return line(`{"code":1000,"token":${JSON.stringify(tokenClear)},"data":"${someData}","x":${n}}`);
        case "data":
          return line(`{"code":1000,"token":${JSON.stringify(tokenClear)},"data":${n}}`);
        default:
          return line(Buffer.from(n).toString("base64"));
      }
    });

  const extraKey = fc.constantFrom("extra", "x", "statusSerials", "cmd");
  if (context !== undefined) {
    kinds["deep-body"] = fc
      .tuple(context, nest, fc.boolean())
      .chain(([ctx, n, whole]) =>
        (whole ? fc.constant(n) : bodyWith(ctx.code, fc.constant(n), extraKey)).map((body) =>
          guarded(ctx, body),
        ),
      );
  }
  return kinds;
}
