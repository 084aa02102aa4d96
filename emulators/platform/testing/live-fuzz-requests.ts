import fc from "fast-check";

/**
 * Hostile HTTP requests for the platform's API (devices, firmware, third-party, push receivers, metrics): odd ids and
 * paths, deep or huge JSON bodies, binary bodies.
 */

/** A hostile HTTP request (method, path, body) for the API. */
export interface HostileRequest {
  method: string;
  path: string;
  body?: Buffer;
  contentType?: string;
}

export function hostileRequests(spareId: string, maxDepth: number): fc.Arbitrary<HostileRequest> {
  const id = fc.constantFrom(
    spareId,
    "000000000000000000000000",
    "__proto__",
    "constructor",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "%F0%9F%98%80",
    "%ED%A0%80",
    "x".repeat(4000),
  );
  // Weighted towards the routes that parse a body: that is where hostile JSON does harm.
  const route = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constantFrom("control", "resources", "constraints", "upgrade", "lan-key")
        .map((op) => `/api/devices/${spareId}/${op}`),
    },
    id.map((d) => `/api/devices/${d}`),
    fc
      .tuple(
        id,
        fc.constantFrom(
          "control",
          "query",
          "resources",
          "constraints",
          "upgrade",
          "lan-key",
          "events?kind=__proto__",
        ),
      )
      .map(([d, op]) => `/api/devices/${d}/${op}`),
    fc.tuple(id, id).map(([g, d]) => `/api/devices/${g}/subdevices/${d}`),
    id.map((d) => `/api/firmware/${d}`),
    id.map((d) => `/firmware/${d}`),
    id.map((d) => `/api/third-party/devices/${d}`),
    id.map((d) => `/api/third-party/devices/${d}/online`),
    fc
      .tuple(id, fc.constantFrom("", "?detail=1", "?detail=__proto__"))
      .map(([g, query]) => `/api/third-party/gateways/${g}/subdevices${query}`),
    fc
      .constantFrom("0", "-1", "999999", "1e3", "__proto__", "%00")
      .map((i) => `/api/push/receivers/${i}/resume`),
    fc.constantFrom(
      "/api/devices",
      "/api/firmware",
      "/api/third-party/devices",
      "/api/push/receivers",
      "/metrics",
      "/",
      "/api",
      "/api/devices/",
      "//api//devices",
    ),
  );
  const depth = fc.integer({ min: 1, max: maxDepth });
  const json = fc.oneof(
    depth.map((n) => "[".repeat(n) + "]".repeat(n)),
    depth.map((n) => `{"serialId":"0","cmd":${"[".repeat(n)}${"]".repeat(n)}}`),
    depth.map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
    depth.map((n) => `{"rand":${"[".repeat(n)}${"]".repeat(n)}}`),
    fc
      .integer({ min: 0, max: 1_200_000 })
      .map((n) => `{"serialId":"0","cmd":[{"cmdName":"SET","cmdParam":"${"x".repeat(n)}"}]}`),
    fc.integer({ min: 0, max: 1_200_000 }).map((n) => `{"rand":"${"1".repeat(n)}"}`),
    fc.constantFrom(
      '{"serialId":"0","cmd":[{"cmdName":"SET_POWER","cmdParam":"1"}]}',
      '{"deviceSN":"__proto__","deviceType":{},"bindKey":["x"]}',
      '{"deviceSN":"","__proto__":{"deviceSN":"x"}}',
      '{"__proto__":{"polluted":1},"cmd":[]}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"serialId":null,"cmd":null}',
      '{"serialId":1,"cmd":[{"cmdName":1,"cmdParam":[]}]}',
      '{"cmd":[{"cmdName":"\\ud800","cmdParam":"\\udfff"}]}',
      '{"resourceSerials":{}}',
      '{"asc":{"__proto__":"1"}}',
      '{"version":1e400,"md5":"zz"}',
      '{"version":"1","url":"javascript:alert(1)","module":""}',
      '{"rand":"1234567890123456"}',
      '{"rand":1234567890123456}',
      '{"rand":"12345678901234\\u0000\\u0000"}',
      '{"rand":"\\ud800\\udfff"}',
      "{",
      "",
      "null",
      "1e308",
      '"\\u0000"',
    ),
  );
  const body = fc.oneof(
    json.map((j) => Buffer.from(j)),
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.constant(Buffer.from([0xff, 0xfe, 0xc0, 0x80])),
  );
  return fc.record(
    {
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constant("POST") },
        fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
      ),
      path: route,
      body,
      contentType: fc.constantFrom(
        "application/json",
        "text/plain",
        "application/octet-stream",
        "multipart/form-data",
      ),
    },
    { requiredKeys: ["method", "path"] },
  );
}
