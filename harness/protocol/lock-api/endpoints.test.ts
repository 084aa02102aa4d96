import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  type LockEndpoint,
  type LockEndpointId,
  lockEndpointIds,
  lockEndpoints,
  matchLockEndpoint,
} from "./endpoints.ts";
import { API_LIST_HEADER_LINE, apiList } from "./testing/api-list.ts";
import { type RequestExample, requestExamples, responseExamples } from "./testing/examples.ts";

/**
 * The endpoint catalogue against the seed's API list (lines 31-93) and the seed's examples, both held as fixtures in
 * testing/; and against docs/lock-api.md, so neither can drift. `npm run check:lock-seed` checks the fixtures, and
 * each endpoint's section line, against the seed's text.
 */

const entries: LockEndpoint[] = lockEndpointIds.map((id) => lockEndpoints[id]);
const key = (method: string, path: string) => `${method} ${path}`;
const templateParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

describe("the catalogue is the seed's API list", () => {
  it("has exactly the endpoints of lines 31-93, method and path", () => {
    expect(apiList.map((r) => r.line)).toEqual(
      Array.from({ length: 63 }, (_, i) => API_LIST_HEADER_LINE + 1 + i),
    );
    expect(entries).toHaveLength(apiList.length);
    expect(
      entries.map((e) => e.listLine),
      "ids in the list's order",
    ).toEqual(apiList.map((r) => r.line));
    expect(new Set(entries.map((e) => key(e.method, e.path)))).toEqual(
      new Set(apiList.map((r) => key(r.method, r.path))),
    );
  });

  it.each(lockEndpointIds)("%s: its list row, description, legacy mark and version", (id) => {
    const entry = lockEndpoints[id];
    const row = apiList.find((r) => r.line === entry.listLine);
    expect(row).toEqual({
      line: entry.listLine,
      legacy: entry.legacy,
      method: entry.method,
      path: entry.path,
      description: entry.description,
    });
    expect(entry.path.startsWith(`/${entry.version}/`)).toBe(true);
  });

  it("ids are unique, camelCase, and their entries' own; method and path are unique", () => {
    for (const id of lockEndpointIds) {
      expect(lockEndpoints[id].id).toBe(id);
      expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(new Set(entries.map((e) => key(e.method, e.path))).size).toBe(entries.length);
  });

  it.each(lockEndpointIds)("%s: the path schema names the template's parameters", (id) => {
    const entry = lockEndpoints[id];
    const shape = (entry.request.path as z.ZodObject).shape;
    expect(Object.keys(shape).sort()).toEqual(templateParams(entry.path).sort());
  });

  it("no path can match two templates of one method", () => {
    for (const a of entries) {
      for (const b of entries) {
        if (a === b || a.method !== b.method) continue;
        const sa = a.path.split("/");
        const sb = b.path.split("/");
        const overlap =
          sa.length === sb.length &&
          sa.every((s, i) => s === sb[i] || s.startsWith("{") || (sb[i] ?? "").startsWith("{"));
        expect(overlap, `${a.id} and ${b.id}`).toBe(false);
      }
    }
  });
});

/** The request's parts as a server reads them, through the catalogue. */
function readRequest(method: string, path: string, body: unknown) {
  const match = matchLockEndpoint(method, path);
  if (!match) return undefined;
  const query = Object.fromEntries(new URL(path, "http://lock.test").searchParams);
  const { request } = match.entry as LockEndpoint;
  return {
    id: match.entry.id,
    path: request.path.safeParse(match.params),
    query: request.query.safeParse(query),
    body: request.body.safeParse(body),
  };
}

/** What the schemas refuse in a request: the first key of each issue, or the part that fails whole. */
function refusals(method: string, path: string, body: unknown, id: LockEndpointId): string[] {
  const read = readRequest(method, path, body);
  if (read?.id !== id) return ["route"];
  return (["path", "query", "body"] as const).flatMap((part) =>
    (read[part].error?.issues ?? []).map((issue) => String(issue.path[0] ?? part)),
  );
}

const requestName = (e: RequestExample) => `${e.id} (line ${e.line})`;

describe("the seed's examples", () => {
  it("every endpoint has a request example and an answer example", () => {
    expect(new Set(requestExamples.map((e) => e.id))).toEqual(new Set(lockEndpointIds));
    expect(new Set(responseExamples.map((e) => e.id))).toEqual(new Set(lockEndpointIds));
  });

  it.each(requestExamples.map((e) => [requestName(e), e] as const))("request %s", (_, example) => {
    const refused = refusals(example.method, example.path, example.body, example.id);
    expect([...refused].sort()).toEqual([...(example.refused ?? [])].sort());
    if (refused.length > 0) expect(example.sent?.quirk, "a refused example says why").toBeTruthy();
    const sent = {
      method: example.sent?.method ?? example.method,
      path: example.sent?.path ?? example.path,
      body: example.sent && "body" in example.sent ? example.sent.body : example.body,
    };
    const read = readRequest(sent.method, sent.path, sent.body);
    expect(read?.id).toBe(example.id);
    expect(read?.path.error).toBeUndefined();
    expect(read?.query.error).toBeUndefined();
    expect(read?.body.error).toBeUndefined();
  });

  it.each(responseExamples.map((e) => [`${e.id} (line ${e.line})`, e] as const))(
    "answer %s",
    (_, example) => {
      if (example.malformed) expect(example.quirk, "a repaired example says what was wrong").toBeTruthy();
      const result = example.result === "body" ? example.body : example.body.result;
      if (example.result !== "body") expect(example.body.success).toBe(true);
      const parsed = lockEndpoints[example.id].response.safeParse(result);
      expect(parsed.error).toBeUndefined();
      expect(parsed.data).toEqual(result);
    },
  );
});

describe("the schemas hold the tables' rules", () => {
  const body = lockEndpoints.createTempPassword.request.body;
  const valid = {
    name: "Tenant A",
    password: "956FAD7A09C68E168B77",
    password_type: "ticket",
    ticket_id: "9wxxoLM",
    effective_time: 1579156726,
    invalid_time: 1579243126,
    type: 1,
  };
  const refusedField = (schema: z.ZodType, value: unknown) =>
    schema.safeParse(value).error?.issues.map((i) => i.path.join("."));

  it("a temporary password: 10-digit seconds, type 0 or 1, a ticket, and a name on v1.0", () => {
    expect(body.safeParse(valid).success).toBe(true);
    expect(refusedField(body, { ...valid, effective_time: 1579156726000 })).toEqual(["effective_time"]);
    expect(refusedField(body, { ...valid, type: 2 })).toEqual(["type"]);
    expect(refusedField(body, { ...valid, password_type: "plain" })).toEqual(["password_type"]);
    const { name: _, ...unnamed } = valid;
    expect(refusedField(body, unnamed)).toEqual(["name"]);
    expect(lockEndpoints.createTempPasswordV2.request.body.safeParse(unnamed).success).toBe(true);
    const periodic = {
      ...valid,
      schedule_list: [{ effective_time: 720, invalid_time: 1441, working_day: 2 }],
    };
    expect(refusedField(body, periodic)).toEqual(["schedule_list.0.invalid_time"]);
  });

  it("a field the seed does not name is kept; a camelCase key is read as snake_case", () => {
    expect(body.parse({ ...valid, vendorTrace: 7 })).toMatchObject({ vendor_trace: 7 });
    expect(body.parse({ ...valid, ticketId: "other", ticket_id: "9wxxoLM" })).toMatchObject({
      ticket_id: "9wxxoLM",
      ticketId: "other",
    });
    const answer = { id: 5, vendor_note: { hop: 2 } };
    expect(lockEndpoints.createTempPassword.response.parse(answer)).toEqual(answer);
  });

  it("offline passwords v1.1: clear_one needs its password_id, multiple its times", () => {
    const v11 = lockEndpoints.getOfflineTempPasswordV11.request.body;
    expect(refusedField(v11, { type: "clear_one" })).toEqual(["password_id"]);
    expect(v11.safeParse({ type: "clear_one", password_id: "2345011" }).success).toBe(true);
    expect(refusedField(v11, { type: "multiple", effective_time: 1623747600 })).toEqual(["effective_time"]);
    expect(v11.safeParse({ type: "once" }).success).toBe(true);
    expect(refusedField(v11, { type: "twice" })).toEqual(["type"]);
  });

  it("query numbers and booleans are read from text; codes from their lists", () => {
    const q = lockEndpoints.listOpenLogsV11.request.query;
    expect(
      q.parse({ page_no: "1", page_size: "3", start_time: "0", end_time: "9", showMediaInfo: "true" }),
    ).toEqual({
      page_no: 1,
      page_size: 3,
      start_time: 0,
      end_time: 9,
      show_media_info: true,
    });
    expect(refusedField(q, { page_no: "one", page_size: "3", start_time: "0", end_time: "9" })).toEqual([
      "page_no",
    ]);
    const opmodes = lockEndpoints.listUserOpmodes.request.query;
    expect(opmodes.safeParse({ codes: "", unlock_name: "", page_no: "1", page_size: "9" }).success).toBe(
      true,
    );
    expect(
      refusedField(opmodes, { codes: "unlock_door", unlock_name: "", page_no: "1", page_size: "9" }),
    ).toEqual(["codes"]);
  });

  it("a home user's schedule is read wrapped in `schedule` or bare", () => {
    const schedule = { permanent: false, effective_time: 1628179200, expired_time: 1640015999 };
    const s = lockEndpoints.updateHomeUserSchedule.request.body;
    expect(s.parse({ schedule })).toEqual(s.parse(schedule));
    expect(refusedField(s, { permanent: false })).toEqual(["effective_time"]);
    expect(s.safeParse({ permanent: true }).success).toBe(true);
  });
});

describe("matchLockEndpoint", () => {
  const segment = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_*.-]{1,24}$/),
    fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
  );
  const fill = (entry: LockEndpoint, values: string[]) => {
    let i = 0;
    return entry.path.replace(/\{\w+\}/g, () => values[i++] as string);
  };

  it("finds the entry of a path built from its template, with its parameters decoded", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...lockEndpointIds),
        fc.array(segment, { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        (id, values, withQuery) => {
          const entry: LockEndpoint = lockEndpoints[id];
          const path = fill(entry, values) + (withQuery ? "?page_no=1&x=%zz" : "");
          const names = templateParams(entry.path);
          const match = matchLockEndpoint(entry.method.toLowerCase(), path);
          expect(match?.entry.id).toBe(entry.id);
          expect(match?.params).toEqual(
            Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(values[i] ?? "")])),
          );
        },
      ),
    );
  });

  it("never throws, and finds nothing where no template fits", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (method, path) => {
        const match = matchLockEndpoint(method, path);
        if (match) expect(match.entry.method).toBe(method.toUpperCase());
      }),
    );
    expect(matchLockEndpoint("GET", "/v1.0/devices/%E0%A4%A/door-lock/open-logs")).toBeUndefined();
    expect(matchLockEndpoint("GET", "/v1.0/devices//door-lock/open-logs")).toBeUndefined();
    expect(matchLockEndpoint("PATCH", "/v1.0/devices/d1")).toBeUndefined();
    expect(matchLockEndpoint("GET", "v1.0/devices/d1")).toBeUndefined();
  });
});

describe("docs/lock-api.md", () => {
  const doc = readFileSync(new URL("../../../docs/lock-api.md", import.meta.url), "utf8");
  const rows = doc
    .split("\n")
    .map((l) => /^\| (GET|POST|PUT|DELETE) \| `([^`]+)` \| (.+?) \| (\w+) \| `([^`]+)` \|$/.exec(l))
    .filter((m) => m !== null);

  it("lists every endpoint of the catalogue once, and no other", () => {
    const listed = rows.map((m) => key(m[1] ?? "", m[2] ?? ""));
    expect(listed.length).toBe(new Set(listed).size);
    expect(new Set(listed)).toEqual(new Set(entries.map((e) => key(e.method, e.path))));
    expect(doc.split("\n").filter((l) => /^\| \*?(GET|POST|PUT|DELETE) /.test(l))).toHaveLength(rows.length);
  });

  it("gives each a known status and a test file that exists", () => {
    for (const m of rows) {
      expect(["schema", "served"]).toContain(m[4]);
      expect(existsSync(new URL(`../../../${m[5]}`, import.meta.url)), m[5]).toBe(true);
    }
  });
});
