import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cResponse, parseCRequest, parseCRequestText, parseCResponse } from "./codec.ts";
import { CRequestError, cErrorCodes } from "./errors.ts";
import { type CInterfaceId, cInterfaceIds } from "./interfaces.ts";
import { cRequest, cSuccess } from "./testing/arbitraries.ts";

/**
 * Round trips of every interface's requests and answers through JSON and the schemas, and totality: whatever JSON
 * (or text) arrives, a typed value or a 1002 naming a field, never a throw.
 */

const id = fc.constantFrom(...cInterfaceIds);
const wire = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

describe("round trips (7.3)", () => {
  it.each(cInterfaceIds)("%s: a valid request survives JSON and parseCRequest unchanged", (cid) => {
    fc.assert(
      fc.property(cRequest(cid), (request) => {
        expect(parseCRequest(cid, wire(request))).toEqual({ ok: true, value: wire(request) });
        expect(parseCRequestText(cid, JSON.stringify(request))).toEqual({ ok: true, value: wire(request) });
      }),
      { numRuns: 50 },
    );
  });

  it.each(cInterfaceIds)(
    "%s: a valid answer survives JSON, parseCResponse and cResponse unchanged",
    (cid) => {
      fc.assert(
        fc.property(cSuccess(cid), (response) => {
          expect(parseCResponse(cid, wire(response))).toEqual({ ok: true, value: wire(response) });
          const { code: _, ...fields } = response as { code: 0 } & Record<string, unknown>;
          expect(cResponse(cid as CInterfaceId, 0, fields as never)).toMatchObject(wire(response) as object);
        }),
        { numRuns: 50 },
      );
    },
  );

  it("a request with one required field removed is 1002 naming that field", () => {
    fc.assert(
      fc.property(
        id.chain((cid) => fc.tuple(fc.constant(cid), cRequest(cid), fc.nat())),
        ([cid, request, pick]) => {
          const required = Object.keys(request).filter(
            (k) => k !== "vendorNote" && parseCRequest(cid, { ...request, [k]: undefined }).ok === false,
          );
          fc.pre(required.length > 0);
          const field = required[pick % required.length] as string;
          const { [field]: _, ...rest } = request as Record<string, unknown>;
          expect(parseCRequest(cid, rest)).toMatchObject({ ok: false, error: { resultCode: 1002, field } });
        },
      ),
    );
  });
});

describe("totality", () => {
  const expectTyped = (parsed: ReturnType<typeof parseCRequest>) => {
    if (parsed.ok) return;
    expect(parsed.error).toBeInstanceOf(CRequestError);
    expect(cErrorCodes).toContain(parsed.error.code);
    expect(parsed.error.resultCode).toBe(1002);
    expect(typeof parsed.error.field).toBe("string");
  };

  it("random JSON values never throw parseCRequest or parseCResponse", () => {
    fc.assert(
      fc.property(id, fc.jsonValue({ maxDepth: 4 }), (cid, json) => {
        expectTyped(parseCRequest(cid, json));
        const response = parseCResponse(cid, json);
        if (!response.ok) expect(response.error.resultCode).toBe(1002);
      }),
      { numRuns: 300 },
    );
  });

  it("valid requests with one value replaced by random JSON never throw", () => {
    fc.assert(
      fc.property(
        id.chain((cid) => fc.tuple(fc.constant(cid), cRequest(cid))),
        fc.nat(),
        fc.jsonValue({ maxDepth: 3 }),
        ([cid, request], pick, value) => {
          const keys = Object.keys(request);
          const key = keys[pick % keys.length] as string;
          expectTyped(parseCRequest(cid, { ...request, [key]: value }));
        },
      ),
    );
  });

  it("random text and bytes never throw parseCRequestText", () => {
    fc.assert(
      fc.property(id, fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })), (cid, text) => {
        expectTyped(parseCRequestText(cid, text));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(id, fc.uint8Array({ maxLength: 200 }), (cid, bytes) =>
        expectTyped(parseCRequestText(cid, bytes)),
      ),
      { numRuns: 100 },
    );
  });
});
