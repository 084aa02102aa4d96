import { isDeepStrictEqual } from "node:util";
import { type LockEndpoint, lockEndpointIds, lockEndpoints } from "../endpoints.ts";
import { API_LIST_HEADER_LINE, apiList, parseApiListRow } from "./api-list.ts";
import { requestExamples, responseExamples } from "./examples.ts";

/**
 * The lock API's fixtures against the seed's text (`002_c2fdad2378ea765c.txt`): the API list, each catalogue entry's
 * `seedLine`, and every example copied from the seed. Run by `npm run check:lock-seed` (bench/check-lock-seed.ts)
 * where the seed is at hand; the tests use the fixtures alone.
 */

/** The SHA-256 of the seed the fixtures were copied from. */
export const SEED_SHA256 = "ba96a86f372f2b6c897e7503c44e60bd25ab6bf787999abfb5fab743dba5251a";

export interface SeedMismatch {
  /** What disagrees: `API list`, an endpoint id, or `request ID`/`answer ID` for an example. */
  what: string;
  line: number;
  message: string;
}

/** A line without its indentation, its spaces collapsed and a `METHOD:` read as `METHOD`. */
export function normalizeLine(line: string): string {
  return line
    .trim()
    .replace(/\s+/g, " ")
    .replace(/^([A-Z]+): /, "$1 ");
}

/**
 * The JSON text that starts on line `from` (or on the first non-blank line after it), `//` comments outside strings
 * taken out, as the seed prints it; `undefined` when that line does not open an object or a list.
 */
export function seedJsonText(lines: readonly string[], from: number): string | undefined {
  let n = from;
  while (n <= lines.length && (lines[n - 1] ?? "").trim() === "") n++;
  if (!/^[{[]/.test((lines[n - 1] ?? "").trim())) return undefined;
  let out = "";
  let depth = 0;
  let inString = false;
  for (; n <= lines.length; n++) {
    const line = lines[n - 1] ?? "";
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (inString) {
        out += c;
        if (c === "\\") out += line[++i] ?? "";
        else if (c === '"') inString = false;
        continue;
      }
      if (c === "/" && line[i + 1] === "/") break;
      out += c;
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return out;
      }
    }
    out += "\n";
  }
  return out;
}

const show = (value: unknown) => JSON.stringify(value);
const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);

/** JSON parsed, or the parser's complaint. */
function parsed(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Every place where the fixtures disagree with the seed's lines (`lines[n - 1]` is line n); empty when none. */
export function checkSeed(lines: readonly string[]): SeedMismatch[] {
  const found: SeedMismatch[] = [];
  const line = (n: number) => lines[n - 1] ?? "";
  const expectLine = (what: string, n: number, actual: string, expected: string) => {
    if (actual !== expected)
      found.push({ what, line: n, message: `expected ${show(expected)}, the seed has ${show(actual)}` });
  };

  expectLine("API list", API_LIST_HEADER_LINE, line(API_LIST_HEADER_LINE), "Request method API Description");
  for (const row of apiList) {
    const seedRow = parseApiListRow(line(row.line), row.line);
    if (!sameJson(seedRow, row)) {
      found.push({
        what: "API list",
        line: row.line,
        message: `expected ${show(row)}, the seed has ${show(line(row.line))}`,
      });
    }
  }
  const after = (apiList.at(-1)?.line ?? API_LIST_HEADER_LINE) + 1;
  if (parseApiListRow(line(after), after)) {
    found.push({
      what: "API list",
      line: after,
      message: `the seed lists one more endpoint: ${show(line(after))}`,
    });
  }

  for (const id of lockEndpointIds) {
    const entry: LockEndpoint = lockEndpoints[id];
    expectLine(id, entry.seedLine - 2, line(entry.seedLine - 2).trim(), "API endpoint");
    expectLine(id, entry.seedLine, normalizeLine(line(entry.seedLine)), `${entry.method} ${entry.path}`);
  }

  for (const example of requestExamples) {
    const what = `request ${example.id}`;
    if (example.source === "table") {
      expectLine(what, example.line, line(example.line).trim(), "Request parameter");
      continue;
    }
    expectLine(what, example.line, normalizeLine(line(example.line)), `${example.method} ${example.path}`);
    const text = seedJsonText(lines, example.line + 1);
    const body = text === undefined ? { value: undefined } : parsed(text);
    if (!("value" in body) || !sameJson(body.value, example.body)) {
      const seen = "value" in body ? show(body.value) : `text that is not JSON (${body.error})`;
      found.push({
        what,
        line: example.line,
        message: `the copy's body is ${show(example.body)}, the seed's is ${seen}`,
      });
    }
  }

  for (const example of responseExamples) {
    const what = `answer ${example.id}`;
    if (example.source === "table") {
      expectLine(what, example.line, line(example.line).trim(), "Response parameter");
      continue;
    }
    const text = seedJsonText(lines, example.line);
    if (text === undefined) {
      found.push({ what, line: example.line, message: `no JSON opens here: ${show(line(example.line))}` });
      continue;
    }
    const answer = parsed(text);
    if (example.malformed) {
      if ("value" in answer)
        found.push({ what, line: example.line, message: "marked malformed, but the seed's text is JSON" });
    } else if (!("value" in answer) || !sameJson(answer.value, example.body)) {
      const seen = "value" in answer ? show(answer.value) : `text that is not JSON (${answer.error})`;
      found.push({
        what,
        line: example.line,
        message: `the copy's answer is ${show(example.body)}, the seed's is ${seen}`,
      });
    }
  }
  return found;
}
