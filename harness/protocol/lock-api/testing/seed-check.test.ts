import { describe, expect, it } from "vitest";
import { type LockEndpoint, lockEndpointIds, lockEndpoints } from "../endpoints.ts";
import { API_LIST_HEADER_LINE, API_LIST_TEXT } from "./api-list.ts";
import { requestExamples, responseExamples } from "./examples.ts";
import { checkSeed, normalizeLine, seedJsonText } from "./seed-check.ts";

/**
 * The seed check (`npm run check:lock-seed`) on a seed made from the fixtures themselves: each one written at its
 * line the way the seed prints it. It must find nothing there, and name the place of every change made to it.
 */

function fixtureSeed(): string[] {
  const lines: string[] = Array.from({ length: 5000 }, () => "");
  const put = (n: number, text: string) => {
    if (lines[n - 1] !== "" && lines[n - 1] !== text) throw new Error(`line ${n} is taken: ${lines[n - 1]}`);
    lines[n - 1] = text;
  };
  put(API_LIST_HEADER_LINE, "Request method API Description");
  for (const [i, row] of API_LIST_TEXT.split("\n").entries()) put(API_LIST_HEADER_LINE + 1 + i, row);
  for (const id of lockEndpointIds) {
    const entry: LockEndpoint = lockEndpoints[id];
    put(entry.seedLine - 2, "API endpoint");
    put(entry.seedLine, `  ${entry.method}: ${entry.path}`);
  }
  for (const e of requestExamples) {
    if (e.source === "table") put(e.line, "Request parameter");
    else {
      put(e.line, `${e.method} ${e.path}`);
      put(e.line + 1, e.body === undefined ? "Sample response" : `${JSON.stringify(e.body)} // as sent`);
    }
  }
  for (const e of responseExamples) {
    if (e.source === "table") put(e.line, "Response parameter");
    else put(e.line, e.malformed ? JSON.stringify(e.body).replace(/^\{/, "{,") : JSON.stringify(e.body));
  }
  return lines;
}

describe("the seed check", () => {
  it("finds nothing on a seed that holds the fixtures", () => {
    expect(checkSeed(fixtureSeed())).toEqual([]);
  });

  it("names the API list's line where a row differs or one more follows", () => {
    const seed = fixtureSeed();
    seed[65] = (seed[65] ?? "").slice(1); // line 66 loses its legacy `*`
    seed[93] = "GET /v1.0/devices/{device_id}/extra An endpoint more.";
    expect(checkSeed(seed).map((m) => [m.what, m.line])).toEqual([
      ["API list", 66],
      ["API list", 94],
    ]);
  });

  it("names the endpoint whose section moved", () => {
    const seed = fixtureSeed();
    const { seedLine } = lockEndpoints.openDoor;
    seed[seedLine - 3] = "";
    expect(checkSeed(seed)).toEqual([
      { what: "openDoor", line: seedLine - 2, message: 'expected "API endpoint", the seed has ""' },
    ]);
  });

  it("names the example and its line where a copy differs from the seed's text", () => {
    const request = requestExamples.find((e) => e.id === "createTempPassword");
    const answer = responseExamples.find((e) => e.id === "getTempPassword");
    if (!request || !answer) throw new Error("the fixtures lost their examples");
    const seed = fixtureSeed();
    seed[request.line] = (seed[request.line] ?? "").replace('"name":"test"', '"name":"tset"');
    seed[answer.line - 1] = (seed[answer.line - 1] ?? "").replace("1001", "1002");
    const found = checkSeed(seed);
    expect(found.map((m) => [m.what, m.line])).toEqual([
      ["request createTempPassword", request.line],
      ["answer getTempPassword", answer.line],
    ]);
    expect(found[0]?.message).toContain('"name":"tset"');
  });

  it("finds a malformed example that the seed prints as JSON", () => {
    const malformed = responseExamples.find((e) => e.malformed);
    if (!malformed) throw new Error("the fixtures lost their malformed example");
    const seed = fixtureSeed();
    seed[malformed.line - 1] = JSON.stringify(malformed.body);
    expect(checkSeed(seed)).toEqual([
      {
        what: `answer ${malformed.id}`,
        line: malformed.line,
        message: "marked malformed, but the seed's text is JSON",
      },
    ]);
  });
});

describe("reading the seed's text", () => {
  it("normalizes a request line", () => {
    expect(normalizeLine("   PUT:  /v1.0/a   b ")).toBe("PUT /v1.0/a b");
  });

  it("takes JSON over lines, without // comments outside strings", () => {
    const lines = ["", '{ "a": "x // y", // note', '  "b": [1, {"c": 2}] }', "after"];
    expect(JSON.parse(seedJsonText(lines, 1) ?? "")).toEqual({ a: "x // y", b: [1, { c: 2 }] });
    expect(seedJsonText(lines, 4)).toBeUndefined();
  });
});
