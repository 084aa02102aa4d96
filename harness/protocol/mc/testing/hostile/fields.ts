import fc from "fast-check";
import { pathsOf, validBody, withRaw } from "./bodies.ts";
import type { KindArbitraries } from "./kinds.ts";
import { guarded, line } from "./seal.ts";
import type { HostileSetup } from "./setup.ts";

/** Hostile fields: prototype names as keys, and every field (envelope or body) with every wrong JSON type. */

const protoKeys = [
  "__proto__",
  "\\u005f_proto__",
  "__pro\\u0074o__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "valueOf",
  "__defineGetter__",
];
const protoValues = ['{"polluted":"1"}', "null", '"x"', "[]", '{"prototype":{"polluted":"1"}}'];

/** Every JSON type, for "every field with every wrong type". */
const anyType = ["null", "0", "-1", "1.5", '"x"', '""', "[]", '["x"]', "{}", '{"a":"x"}', "true", "false"];

export function fieldKinds(setup: HostileSetup): KindArbitraries {
  const { context, tokenClear, someData } = setup;
  const kinds: KindArbitraries = {};

  const protoKey = fc.constantFrom(...protoKeys);
  const protoValue = fc.constantFrom(...protoValues);
  kinds["proto-key"] = fc.oneof(
    fc
      .tuple(protoKey, protoValue)
      .map(([k, v]) => line(`{"code":1000,"token":"t","data":"${someData}","${k}":${v}}`)),
    fc
      .tuple(protoKey, protoValue)
      .map(([k, v]) => line(`{"${k}":${v},"code":1002,"deviceId":"d","data":""}`)),
    ...(context === undefined
      ? []
      : [
          fc
            .tuple(context, protoKey, protoValue)
            .chain(([ctx, k, v]) =>
              validBody(ctx.code).map((body) =>
                guarded(ctx, JSON.stringify(body).replace(/^\{/, `{"${k}":${v},`)),
              ),
            ),
        ]),
  );

  const envelopeFields: Record<string, string> = {
    code: "1000",
    deviceId: '"d"',
    token: JSON.stringify(tokenClear),
    data: `"${someData}"`,
  };
  kinds["wrong-type-envelope"] = fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...Object.keys(envelopeFields)),
        fc.constantFrom(...anyType, "missing"),
        fc.constantFrom(1000, 1002, 1004, 2006),
      )
      .map(([field, type, code]) => {
        const fields = { ...envelopeFields, code: String(code) };
        const parts = Object.entries(fields)
          .filter(([k]) => k !== field || type !== "missing")
          .map(([k, v]) => `"${k}":${k === field ? type : v}`);
        return line(`{${parts.join(",")}}`);
      }),
    // Not an object at all, or fields twice (the last one wins in JSON.parse).
    fc.constantFrom(...anyType, '"CTS"', "").map((v) => line(v)),
    fc
      .constantFrom(...anyType)
      .map((v) => line(`{"code":1000,"code":${v},"token":"t","data":"${someData}"}`)),
  );

  if (context !== undefined) {
    kinds["wrong-type-body"] = fc.tuple(context, fc.constantFrom(...anyType)).chain(([ctx, type]) =>
      fc
        .tuple(validBody(ctx.code), fc.nat())
        .map(([body, pick]) => {
          const paths = pathsOf(body);
          const path = paths[pick % Math.max(1, paths.length)] ?? ["sequence"];
          return withRaw(body, path, type);
        })
        .map((body) => guarded(ctx, body)),
    );
  }
  return kinds;
}
