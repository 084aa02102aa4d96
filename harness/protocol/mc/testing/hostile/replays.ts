import fc from "fast-check";
import { FRAME_PREFIX } from "../../../cts/envelope.ts";
import { validBody } from "./bodies.ts";
import type { KindArbitraries } from "./kinds.ts";
import { CRLF, guarded } from "./seal.ts";
import type { HostileSetup } from "./setup.ts";

/** Valid frame lines (no CRLF): captured ones, replayed as they are here and cut or re-framed by framing.ts. */

/**
 * Captured lines, lines sealed here (with a body that fails its schema for a device that must keep its session:
 * a CR inserted between JSON tokens leaves a valid frame), and a clear heartbeat.
 */
export function validLines(setup: HostileSetup): fc.Arbitrary<Buffer> {
  const { context, captured, tokenClear, someData } = setup;
  const lines: fc.Arbitrary<Buffer>[] = [];
  if (captured.length > 0) lines.push(fc.constantFrom(...captured).map((c) => Buffer.from(c)));
  if (context !== undefined)
    lines.push(
      context.chain((ctx) =>
        validBody(ctx.code).map((body) => {
          const frame = guarded(ctx, JSON.stringify(body));
          return frame.subarray(0, frame.length - CRLF.length);
        }),
      ),
    );
  lines.push(
    fc.constant(
      Buffer.from(`${FRAME_PREFIX}{"code":1000,"token":${JSON.stringify(tokenClear)},"data":"${someData}"}`),
    ),
  );
  return fc.oneof(...lines);
}

/** Captured frames sent again, once or several times in one write. */
export function replayKinds(setup: HostileSetup): KindArbitraries {
  const { captured } = setup;
  if (captured.length === 0) return {};
  return {
    replay: fc
      .tuple(fc.constantFrom(...captured), fc.constantFrom(1, 1, 1, 2, 3))
      .map(([frame, times]) =>
        Buffer.concat(Array.from({ length: times }, () => [Buffer.from(frame), CRLF]).flat()),
      ),
  };
}
