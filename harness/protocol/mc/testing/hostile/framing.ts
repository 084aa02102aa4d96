import fc from "fast-check";
import type { KindArbitraries } from "./kinds.ts";
import { validLines } from "./replays.ts";
import { CRLF, line, PREFIX } from "./seal.ts";
import type { HostileSetup } from "./setup.ts";
import { codePoints } from "./values.ts";

/** Broken framing: valid lines truncated, Base64-wrapped, split by stray CR/LF; over-long lines; garbage. */
export function framingKinds(setup: HostileSetup): KindArbitraries {
  const { max } = setup;
  const valid = validLines(setup);
  const kinds: KindArbitraries = {};

  kinds.truncation = valid.chain((l) =>
    fc
      .tuple(fc.integer({ min: 0, max: Math.max(0, l.length - 1) }), fc.boolean())
      .map(([at, crlf]) => Buffer.concat([l.subarray(0, at), crlf ? CRLF : Buffer.alloc(0)])),
  );

  kinds["base64-framing"] = fc
    .tuple(valid, fc.constantFrom("plain", "no-padding", "extra-padding", "url", "spaces", "garbage", "deep"))
    .map(([l, how]) => {
      const b64 = l.subarray(PREFIX.length).toString("base64");
      switch (how) {
        case "plain":
          return line(b64);
        case "no-padding":
          return line(b64.replace(/=+$/, ""));
        case "extra-padding":
          return line(`${b64}==`);
        case "url":
          return line(b64.replace(/\+/g, "-").replace(/\//g, "_"));
        case "spaces":
          return line(b64.replace(/(.{7})/g, "$1 "));
        case "garbage":
          return line(`${b64.slice(0, 8)}%%%%${b64.slice(8)}`);
        default:
          return line(Buffer.from("[".repeat(5000) + "]".repeat(5000)).toString("base64"));
      }
    });

  kinds["over-long"] = fc
    .tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom("crlf", "none", "cr", "json"))
    .map(([over, end]) => {
      const body = Buffer.alloc(max + over - PREFIX.length, end === "json" ? 0x5b : 0x41);
      const tail =
        end === "crlf" || end === "json" ? CRLF : end === "cr" ? Buffer.from("\r") : Buffer.alloc(0);
      return Buffer.concat([PREFIX, body, tail]);
    });

  kinds["crlf-split"] = fc
    .tuple(valid, fc.nat(), fc.constantFrom("\r", "\n", "\r\n", "\n\r", "\r\r\n", "\r\n\r\n"))
    .map(([l, at, sep]) => {
      const cut = at % (l.length + 1);
      return Buffer.concat([l.subarray(0, cut), Buffer.from(sep), l.subarray(cut), CRLF]);
    });

  kinds.garbage = fc.oneof(
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.concat([Buffer.from(b), CRLF])),
    fc.uint8Array({ maxLength: 256 }).map((b) => line(Buffer.from(b))),
    codePoints(128).map((s) => line(s)),
    fc
      .constantFrom("", "C", "CT", "CTS", "cts{}", " CTS{}", "\r\n", "CTS\r\n")
      .map((s) => Buffer.from(`${s}\r\n`)),
  );
  return kinds;
}
