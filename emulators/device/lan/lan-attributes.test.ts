import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../harness/errors.ts";
import { loadProfiles, parseProfile } from "../../profiles/load.ts";
import type { Profile } from "../../profiles/schema.ts";
import {
  defaultLanAttributes,
  type LanAttribute,
  LanAttributeMap,
  type LanChange,
  ota,
  otaOfOutcome,
  type StatusesBySerial,
} from "./lan-attributes.ts";

let profiles: Map<string, Profile>;
beforeAll(async () => {
  profiles = await loadProfiles();
});
const profile = (name: string): Profile => {
  const found = profiles.get(name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return found;
};
const mapOf = (name: string) => LanAttributeMap.of(profile(name));
const summary = (map: LanAttributeMap) =>
  map.attributes.map((a) => `${a.number} ${a.serialId}/${a.status} ${a.access} ${a.type}`);

/** Serials out of order ("10" after "2"), string and number statuses, fixed-value commands, a free string. */
const TEST_PROFILE = JSON.stringify({
  model: "TEST-01",
  kind: "device",
  version: "1",
  serials: { "10": { POWER: "1" }, "0": { MODE: "auto", LEVEL: "3", LABEL: "x" }, "2": { POWER: "0" } },
  commands: {
    SET_MODE: { status: "MODE", values: ["auto", "cool", "heat"] },
    SET_LEVEL: { status: "LEVEL", min: 1, max: 10 },
    ON: { status: "POWER", value: "1" },
    OFF: { status: "POWER", value: "0" },
    SET_LABEL: { status: "LABEL" },
  },
  faults: { A: { errorCode: "X1", errorInfo: "a" }, B: { errorCode: "X2", errorInfo: "b" } },
});
const testProfile = (lan?: unknown): Profile =>
  parseProfile(
    lan === undefined ? TEST_PROFILE : JSON.stringify({ ...JSON.parse(TEST_PROFILE), lan }),
    "test.json",
  );

describe("the attribute map of each bundled profile", () => {
  it("air conditioner: 1 POWER, 2 MODE as the spec's example (6.2.3), 3 TEMP, 4 ROOM_TEMP read-only", () => {
    expect(summary(mapOf("air-conditioner"))).toEqual([
      "1 0/POWER read-write number",
      "2 0/MODE read-write number",
      "3 0/TEMP read-write number",
      "4 0/ROOM_TEMP read-only number",
    ]);
    expect(mapOf("air-conditioner").control).toBe(true);
  });

  it("smart lock: the lock state and the battery read-only", () => {
    expect(summary(mapOf("smart-lock"))).toEqual([
      "1 0/LOCK read-only number",
      "2 0/BATTERY read-only number",
    ]);
  });

  it("default maps: statuses numbered from 1, serials by number, a status no command sets read-only", () => {
    expect(summary(mapOf("air-purifier"))).toEqual([
      "1 0/POWER read-write number",
      "2 0/SPEED read-write number",
      "3 0/PM25 read-only number",
    ]);
    expect(summary(mapOf("three-gang-switch"))).toEqual([
      "1 1/POWER read-write number",
      "2 2/POWER read-write number",
      "3 3/POWER read-write number",
    ]);
    expect(summary(mapOf("zigbee-gateway"))).toEqual(["1 0/PERMIT_JOIN read-write number"]);
    expect(summary(LanAttributeMap.of(testProfile()))).toEqual([
      "1 0/MODE read-write string",
      "2 0/LEVEL read-write number",
      "3 0/LABEL read-write string",
      "4 2/POWER read-write number",
      "5 10/POWER read-write number",
    ]);
  });

  it("every profile's default map numbers each status once, 1..n; the explicit air conditioner map is the default", () => {
    for (const [name, p] of profiles) {
      const statuses = Object.entries(p.serials).flatMap(([s, byName]) =>
        Object.keys(byName).map((n) => `${s}/${n}`),
      );
      const map = defaultLanAttributes(p);
      expect(Object.keys(map), name).toEqual(statuses.map((_, i) => String(i + 1)));
      expect(
        Object.values(map)
          .map((a) => `${a.serialId}/${a.status}`)
          .sort(),
        name,
      ).toEqual(statuses.sort());
    }
    const ac = profile("air-conditioner");
    expect(Object.values(defaultLanAttributes(ac)).map((a) => a.status)).toEqual(
      Object.values(ac.lan?.attributes ?? {}).map((a) => a.status),
    );
  });

  it("a sub-device has none of its own", () => {
    for (const name of ["door-window-sensor", "temperature-humidity-sensor", "zigbee-lock", "zigbee-switch"])
      expect(() => mapOf(name), name).toThrow(UsageError);
  });
});

describe("toAs: a query's as and asc (6.2.3)", () => {
  it("numbers as numbers, read-only listed in asc with 1", () => {
    expect(mapOf("air-conditioner").toAs(profile("air-conditioner").serials)).toEqual({
      as: { "1": 0, "2": 1, "3": 26, "4": 28 },
      asc: { "4": 1 },
    });
    expect(mapOf("smart-lock").toAs(profile("smart-lock").serials)).toEqual({
      as: { "1": 1, "2": 80 },
      asc: { "1": 1, "2": 1 },
    });
  });

  it("no access: left out of as, 0 in asc; strings as strings; a non-number in a number status as its string", () => {
    const map = LanAttributeMap.of(
      testProfile({ attributes: { "7": { status: "MODE", access: "none" }, "8": { status: "LEVEL" } } }),
    );
    expect(map.toAs({ "0": { MODE: "auto", LEVEL: "3" } })).toEqual({ as: { "8": 3 }, asc: { "7": 0 } });
    expect(map.toAs({ "0": { MODE: "auto", LEVEL: "n/a" } }).as).toEqual({ "8": "n/a" });
    expect(LanAttributeMap.of(testProfile()).toAs(testProfile().serials).as).toEqual({
      "1": "auto",
      "2": 3,
      "3": "x",
      "4": 0,
      "5": 1,
    });
  });

  it("the platform's 2001 constraints tighten access (by status name)", () => {
    const map = mapOf("air-conditioner");
    expect(map.toAs(profile("air-conditioner").serials, { POWER: "1", MODE: "0" })).toEqual({
      as: { "1": 0, "3": 26, "4": 28 },
      asc: { "1": 1, "2": 0, "4": 1 },
    });
    expect(map.fromOpt({ "1": 1 }, { POWER: "1" })).toMatchObject({
      ok: false,
      error: { code: "NOT_WRITABLE" },
    });
  });
});

describe("fromOpt: an opt's as as status changes (6.2.4)", () => {
  const ac = () => mapOf("air-conditioner");

  it("turns attribute numbers into serial and status, values into status strings, in attribute order", () => {
    expect(ac().fromOpt({ "2": 4, "1": 1, "3": 16 })).toEqual({
      ok: true,
      value: [
        { attribute: 1, serialId: "0", status: "POWER", value: "1" },
        { attribute: 2, serialId: "0", status: "MODE", value: "4" },
        { attribute: 3, serialId: "0", status: "TEMP", value: "16" },
      ],
    });
    const test = LanAttributeMap.of(testProfile());
    expect(test.fromOpt({ "1": "cool", "3": "anything", "5": 0 })).toMatchObject({
      ok: true,
      value: [
        { serialId: "0", status: "MODE", value: "cool" },
        { serialId: "0", status: "LABEL", value: "anything" },
        { serialId: "10", status: "POWER", value: "0" },
      ],
    });
  });

  it.each([
    ["not an object", [], "BAD_AS", 100001, undefined],
    ["empty", {}, "BAD_AS", 100001, undefined],
    ["key 0", { "0": 1 }, "BAD_ATTRIBUTE", 100001, "0"],
    ["key 01", { "01": 1 }, "BAD_ATTRIBUTE", 100001, "01"],
    ["key 65536", { "65536": 1 }, "BAD_ATTRIBUTE", 100001, "65536"],
    ["key abc", { abc: 1 }, "BAD_ATTRIBUTE", 100001, "abc"],
    ["unknown attribute", { "9": 1 }, "UNKNOWN_ATTRIBUTE", 300002, "9"],
    ["read-only", { "4": 30 }, "NOT_WRITABLE", 300002, "4"],
    ["a string for a number", { "1": "1" }, "BAD_TYPE", 100001, "1"],
    ["not finite", { "3": null }, "BAD_TYPE", 100001, "3"],
    ["not a listed value", { "2": 7 }, "OUT_OF_RANGE", 100001, "2"],
    ["above the range", { "3": 30.5 }, "OUT_OF_RANGE", 100001, "3"],
    ["one bad among good: nothing applies", { "1": 1, "2": 9 }, "OUT_OF_RANGE", 100001, "2"],
  ])("refuses %s with its code and 6.2.6 result", (_, as, code, resultCode, attribute) => {
    const result = ac().fromOpt(as);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code, resultCode, attribute });
    if (attribute !== undefined) {
      expect(result.error.field).toBe(`as.${attribute}`);
      expect(result.error.message).toMatch(new RegExp(`^as\\.${attribute}: .*\\(got `));
    }
  });

  it("names the attribute and the value", () => {
    const result = ac().fromOpt({ "2": 7 });
    expect(!result.ok && result.error.message).toBe("as.2: not a value MODE may take (got 7)");
    expect(!result.ok && result.error.value).toBe(7);
  });

  it("the smart lock's lock state cannot be set on the LAN; fixed-value commands allow only their values", () => {
    expect(mapOf("smart-lock").fromOpt({ "1": 0 })).toMatchObject({
      ok: false,
      error: { code: "NOT_WRITABLE", resultCode: 300002, attribute: "1" },
    });
    const test = LanAttributeMap.of(testProfile());
    expect(test.fromOpt({ "4": 1 }).ok).toBe(true);
    expect(test.fromOpt({ "4": 2 })).toMatchObject({ ok: false, error: { code: "OUT_OF_RANGE" } });
    expect(test.fromOpt({ "1": "dry" })).toMatchObject({ ok: false, error: { code: "OUT_OF_RANGE" } });
    expect(test.fromOpt({ "1": 1 })).toMatchObject({ ok: false, error: { code: "BAD_TYPE" } });
  });
});

describe("changedAs: a spontaneous post carries what changed (6.2.5)", () => {
  it("only the changed attributes, typed; no-access ones left out", () => {
    const map = mapOf("air-conditioner");
    const before = profile("air-conditioner").serials;
    const after = { "0": { ...before["0"], POWER: "1", ROOM_TEMP: "27" } };
    expect(map.changedAs(before, after)).toEqual({ "1": 1, "4": 27 });
    expect(map.changedAs(before, after, { ROOM_TEMP: "0" })).toEqual({ "1": 1 });
    expect(map.changedAs(before, before)).toEqual({});
  });
});

describe("fids and ota (6.2.3)", () => {
  it("fids: the active faults by their place in the profile, from 1, ascending", () => {
    expect(mapOf("air-conditioner").fids(["COMPRESSOR"])).toEqual([1]);
    const test = LanAttributeMap.of(testProfile());
    expect(test.fids(["B", "A", "B"])).toEqual([1, 2]);
    expect(test.fids([])).toEqual([]);
    expect(() => test.fids(["C"])).toThrow(/no fault "C"/);
  });

  it("ota: target 0 module / 1 device, stage 1..8, percent", () => {
    expect(ota("module", "downloading", 85)).toEqual([0, 2, 85]);
    expect(ota("device", "start-download")).toEqual([1, 1, 0]);
    expect(ota("device", "upgrade-failed")).toEqual([1, 8, 0]);
    expect(() => ota("device", "upgrading", 101)).toThrow(UsageError);
    // Mc's type is "0" device, "1" module (5.4.3.16).
    expect(otaOfOutcome({ type: "0", status: "0" })).toEqual([1, 7, 100]);
    expect(otaOfOutcome({ type: "1", status: "1" })).toEqual([0, 8, 0]);
  });
});

/** A value the profile allows for an attribute, as it travels in `as`. */
function allowedValue(attribute: LanAttribute): fc.Arbitrary<number | string> {
  const texts = attribute.commands.map((c): fc.Arbitrary<string> => {
    if (c.value !== undefined) return fc.constant(c.value);
    if (c.values !== undefined) return fc.constantFrom(...c.values);
    if (c.min !== undefined || c.max !== undefined) {
      const min = c.min ?? -1e6;
      const max = c.max ?? 1e6;
      return fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }).map(String),
        fc
          .double({ min, max, noNaN: true })
          .filter((n) => !Object.is(n, -0))
          .map(String),
      );
    }
    return attribute.type === "number" ? fc.integer().map(String) : fc.string();
  });
  return fc.oneof(...texts).map((text) => (attribute.type === "number" ? Number(text) : text));
}

/** An opt for a map: some of its writable attributes, each with an allowed value. */
function allowedOpt(map: LanAttributeMap): fc.Arbitrary<Partial<Record<string, number | string>>> {
  const writable = map.attributes.filter((a) => a.access === "read-write");
  return fc.record(Object.fromEntries(writable.map((a) => [String(a.number), allowedValue(a)])), {
    requiredKeys: [],
  });
}

const apply = (statuses: StatusesBySerial, changes: LanChange[]) => {
  const after = structuredClone(statuses) as Record<string, Record<string, string>>;
  for (const { serialId, status, value } of changes) {
    after[serialId] ??= {};
    (after[serialId] as Record<string, string>)[status] = value;
  }
  return after;
};

describe("properties", () => {
  const cases = () => [
    ...["air-conditioner", "air-purifier", "three-gang-switch", "zigbee-gateway", "smart-lock"].map(
      (name) => [name, profile(name)] as const,
    ),
    ["test", testProfile()] as const,
  ];

  it("any allowed values set through fromOpt come back in toAs, and changedAs holds exactly what changed", () => {
    for (const [name, p] of cases()) {
      const map = LanAttributeMap.of(p);
      fc.assert(
        fc.property(allowedOpt(map), (as) => {
          const result = map.fromOpt(as);
          if (Object.keys(as).length === 0) {
            expect(result.ok, name).toBe(false);
            return;
          }
          if (!result.ok) throw result.error;
          const after = apply(p.serials, result.value);
          const { as: queried } = map.toAs(after);
          for (const [key, value] of Object.entries(as))
            expect(queried[key], `${name} ${key}`).toEqual(value);
          const changed = map.changedAs(p.serials, after);
          for (const key of Object.keys(changed)) expect(as, `${name} ${key}`).toHaveProperty(key);
          for (const [key, value] of Object.entries(as))
            if (map.toAs(p.serials).as[key] !== value) expect(changed[key], `${name} ${key}`).toEqual(value);
        }),
      );
    }
  });

  it("fromOpt is total: any JSON gives changes or an error with a 6.2.6 result, never an exception", () => {
    const maps = cases().map(([, p]) => LanAttributeMap.of(p));
    fc.assert(
      fc.property(
        fc.constantFrom(...maps),
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(fc.constantFrom("1", "2", "3", "4", "5", "0", "x"), fc.jsonValue()),
        ),
        (map, as) => {
          const result = map.fromOpt(as);
          if (!result.ok) expect([100001, 300002]).toContain(result.error.resultCode);
        },
      ),
    );
  });
});
