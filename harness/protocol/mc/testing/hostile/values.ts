import fc from "fast-check";
import { bodyWith } from "./bodies.ts";
import type { KindArbitraries } from "./kinds.ts";
import { CRLF, guarded, line, PREFIX } from "./seal.ts";
import type { HostileSetup } from "./setup.ts";

/** Hostile values in fields a decoder reads: huge numbers and strings, unicode, invalid UTF-8. */

const hugeNumbers = [
  "1e308",
  "-1e308",
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "-0.0",
  "9007199254740993",
  "-9007199254740993",
  "18446744073709551616",
  "4294967296",
  "65536",
  "-1",
  "0.5",
  "1E2",
  "123456789012345678901234567890123456789",
  // Not JSON: a parser must refuse them, not read them.
  "NaN",
  "Infinity",
  "-Infinity",
  "0x10",
  "01",
  "+1",
  ".5",
  "1.",
];

const unicodeStrings = [
  '"\\ud800"',
  '"\\udfff"',
  '"\\udc00\\ud800"',
  '"a\\ud83d"',
  JSON.stringify("\u{1F600}\u{10FFFF}\u{1D11E}"),
  JSON.stringify("\uFEFF\u200B\u202E\u2028\u2029"),
  '"\\u0000"',
  JSON.stringify("\u0000"),
  JSON.stringify("空调温度"),
  '"\\uD834\\uDD1E"',
  // Raw control characters inside a string: not JSON.
  '"a\tb"',
  '"a\u0001b"',
];

/** The unicode strings that are JSON, as JS strings (keys of a body; lone surrogates included). */
export const unicodeKeys = unicodeStrings.flatMap((u) => {
  try {
    return [JSON.parse(u) as string];
  } catch {
    return [];
  }
});

const invalidUtf8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xf4, 0x90, 0x80, 0x80],
].map((b) => Buffer.from(b));

const sizes = (max: number) =>
  fc.oneof(
    fc.constantFrom(max, max - 1, max + 1, Math.floor(max / 2), 1024, 0),
    fc.integer({ min: 0, max: Math.max(0, max) }),
  );

/** A JSON string of up to `room` bytes, of one repeated unit (ASCII, 2- and 4-byte UTF-8, escapes). */
export const bigString = (room: number): fc.Arbitrary<string> =>
  fc
    .tuple(sizes(room), fc.constantFrom("x", "é", "\u{1F600}", "\\u0041", "\\\\"))
    .map(([n, unit]) => `"${unit.repeat(Math.max(0, Math.floor(n / Buffer.byteLength(unit))))}"`);

/**
 * Any code points, lone surrogates included (fast-check's "binary" unit builds a table of every code point first,
 * which takes seconds).
 */
export const codePoints = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength })
    .map((points) => points.map((p) => String.fromCodePoint(p)).join(""));

export function valueKinds(setup: HostileSetup): KindArbitraries {
  const { max, context, tokenClear, someData, bodyRoom } = setup;
  const kinds: KindArbitraries = {};

  const number = fc.oneof(
    fc.constantFrom(...hugeNumbers),
    fc.integer({ min: 1, max: 5000 }).map((n) => "9".repeat(n)),
    fc.double().map((d) => (Number.isFinite(d) ? String(d) : "1e999")),
  );
  kinds["huge-number"] = fc.oneof(
    number.map((n) => line(`{"code":${n},"data":"${someData}"}`)),
    number.map((n) =>
      line(`{"code":1000,"token":${JSON.stringify(tokenClear)},"data":"${someData}","n":${n}}`),
    ),
    ...(context === undefined
      ? []
      : [context.chain((ctx) => bodyWith(ctx.code, number).map((body) => guarded(ctx, body)))]),
  );

  kinds["huge-string"] = fc.oneof(
    fc
      .tuple(bigString(max - 40), fc.constantFrom("deviceId", "token", "data", "extra"))
      .map(([s, field]) =>
        line(
          field === "data"
            ? `{"code":1000,"token":"t","data":${s}}`
            : field === "deviceId"
              ? `{"code":1002,"deviceId":${s},"data":"${someData}"}`
              : `{"code":1000,"token":${field === "token" ? s : '"t"'},"data":"${someData}"${field === "extra" ? `,"x":${s}` : ""}}`,
        ),
      ),
    ...(context === undefined
      ? []
      : [context.chain((ctx) => bodyWith(ctx.code, bigString(bodyRoom)).map((body) => guarded(ctx, body)))]),
  );

  const unicode = fc.constantFrom(...unicodeStrings);
  kinds.unicode = fc.oneof(
    unicode.map((u) => line(`{"code":1002,"deviceId":${u},"data":"${someData}"}`)),
    unicode.map((u) => line(`{"code":1000,"token":${u},"data":"${someData}"}`)),
    unicode.map((u) => line(`{"code":1000,"token":"t","data":${u}}`)),
    unicode.map((u) => line(`{${u}:1,"code":1000,"token":"t","data":"${someData}"}`)),
    ...(context === undefined
      ? []
      : [
          context.chain((ctx) =>
            bodyWith(ctx.code, unicode, fc.constantFrom(...unicodeKeys)).map((body) => guarded(ctx, body)),
          ),
        ]),
  );

  const badBytes = fc.constantFrom(...invalidUtf8);
  kinds["invalid-utf8"] = fc.oneof(
    badBytes.map((b) =>
      line(
        Buffer.concat([Buffer.from('{"code":1002,"deviceId":"'), b, Buffer.from(`","data":"${someData}"}`)]),
      ),
    ),
    badBytes.map((b) =>
      line(Buffer.concat([Buffer.from('{"code":1000,"token":"t","data":"'), b, Buffer.from('"}')])),
    ),
    badBytes.map((b) => Buffer.concat([PREFIX, b, CRLF])),
    ...(context === undefined
      ? []
      : [
          fc
            .tuple(context, badBytes)
            .map(([ctx, b]) =>
              guarded(
                ctx,
                Buffer.concat([Buffer.from(`{"sequence":"1","deviceId":"`), b, Buffer.from('","time":1}')]),
              ),
            ),
        ]),
  );
  return kinds;
}
