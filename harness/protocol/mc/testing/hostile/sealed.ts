import fc from "fast-check";
import { CipherKey, encrypt } from "../../../cts/crypto.ts";
import { bodyWith } from "./bodies.ts";
import type { KindArbitraries } from "./kinds.ts";
import { guarded, line, sealed } from "./seal.ts";
import type { HostileSetup } from "./setup.ts";
import { bigString, unicodeKeys } from "./values.ts";

/**
 * Bodies under a real key: valid envelopes around bodies that are not JSON, not objects, badly padded or sealed
 * with the wrong key; and, for a device the run may disturb, schema-valid bodies with hostile content that reach
 * the business handlers.
 */
export function sealedKinds(setup: HostileSetup): KindArbitraries {
  const { context, disturbable, bodyRoom } = setup;
  const kinds: KindArbitraries = {};
  if (context !== undefined) {
    kinds["invalid-body"] = fc
      .tuple(
        context,
        fc.constantFrom(
          "not-json",
          "scalar",
          "empty-object",
          "empty",
          "bad-padding",
          "short-block",
          "wrong-key",
          "not-base64",
          "empty-data",
          "code-mismatch",
        ),
        fc.constantFrom("{", "}", "null", "[]", "1", '"x"', "true", '{"a":}', "{'a':1}", "\u0000"),
      )
      .map(([ctx, how, text]) => {
        switch (how) {
          case "not-json":
            return guarded(ctx, `{"sequence":"1",${text}`);
          case "scalar":
            return sealed(ctx, text);
          case "empty-object":
            return sealed(ctx, "{}");
          case "empty":
            return sealed(ctx, "");
          case "bad-padding":
          case "short-block":
          case "not-base64":
          case "empty-data": {
            const cipher = encrypt(ctx.key, Buffer.from('{"sequence":"1"}'));
            if (how === "bad-padding") cipher[cipher.length - 1] = (cipher.at(-1) ?? 0) ^ 0x5a;
            const data =
              how === "short-block"
                ? cipher.subarray(0, cipher.length - 3).toString("base64")
                : how === "not-base64"
                  ? `${cipher.toString("base64")}!*`
                  : "";
            return line(`{"code":${ctx.code},${ctx.clear},"data":"${data}"}`);
          }
          case "wrong-key": {
            const data = encrypt(CipherKey.fromSessionKey("0000000000000000"), Buffer.from("{}")).toString(
              "base64",
            );
            return line(`{"code":${ctx.code},${ctx.clear},"data":"${data}"}`);
          }
          default:
            // A body valid for another code, sealed under this one.
            return guarded(ctx, '{"sequence":"1","result":0,"time":1}');
        }
      });
  }
  if (disturbable !== undefined) {
    kinds["hostile-valid-body"] = disturbable.chain((ctx) =>
      bodyWith(
        ctx.code,
        fc.oneof(
          fc.constantFrom('"__proto__"', '"constructor"', '"prototype"', '"toString"', '""'),
          fc.constantFrom(...unicodeKeys.map((k) => JSON.stringify(k))),
          bigString(Math.min(bodyRoom, 8192)),
        ),
        fc.constantFrom("constructor", "prototype", "toString", "hasOwnProperty"),
      ).map((body) => sealed(ctx, body)),
    );
  }
  return kinds;
}
