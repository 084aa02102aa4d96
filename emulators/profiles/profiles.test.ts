import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { wellBehaved } from "../device/misbehaviour.ts";
import { loadProfiles, parseProfile } from "./load.ts";
import { ProfileModel } from "./profile-model.ts";

describe("shipped profiles", () => {
  it("all load and validate", async () => {
    const profiles = await loadProfiles();
    expect([...profiles.keys()]).toEqual([
      "access-control",
      "air-conditioner",
      "air-purifier",
      "door-window-sensor",
      "hotel-lock",
      "keepalive-lock",
      "smart-lock",
      "temperature-humidity-sensor",
      "three-gang-switch",
      "video-lock",
      "zigbee-gateway",
      "zigbee-lock",
      "zigbee-switch",
    ]);
    expect(profiles.get("three-gang-switch")?.serials).toHaveProperty("3");
    expect(profiles.get("smart-lock")?.managedResources).toEqual({ KEY_LIST: { idField: "KEY_ID" } });
  });

  it("refuse a bad profile naming the file, the field and the value", () => {
    expect(() => parseProfile('{"model":"X","kind":"toaster","version":"1","serials":{}}', "x.json")).toThrow(
      /x\.json: kind: .* \(got "toaster"\)/,
    );
    expect(() =>
      parseProfile(
        '{"model":"X","kind":"device","version":"1","serials":{"0":{"A":"1"}},"commands":{"SET_B":{"status":"B"}}}',
        "y.json",
      ),
    ).toThrow(/y\.json: commands\.SET_B\.status: no serial has a status "B"/);
    expect(() => parseProfile("{oops", "z.json")).toThrow(/z\.json: not JSON/);
  });
});

describe("the lan section (Md, chapter 6)", () => {
  const base = {
    model: "X",
    kind: "device",
    version: "1",
    serials: { "0": { POWER: "0", MODE: "auto" }, "2": { POWER: "1" } },
    commands: { SET_POWER: { status: "POWER", values: ["0", "1"] } },
  };
  const parse = (lan: unknown, extra: Record<string, unknown> = {}) =>
    parseProfile(JSON.stringify({ ...base, ...extra, lan }), "p.json");

  it("accepts attributes, filling serialId, access and control", () => {
    const profile = parse({
      attributes: {
        "1": { status: "POWER" },
        "2": { status: "MODE", type: "string" },
        "65535": { serialId: "2", status: "POWER", access: "read-only" },
      },
    });
    expect(profile.lan).toEqual({
      control: true,
      attributes: {
        "1": { serialId: "0", status: "POWER", access: "read-write" },
        "2": { serialId: "0", status: "MODE", access: "read-write", type: "string" },
        "65535": { serialId: "2", status: "POWER", access: "read-only" },
      },
    });
    expect(parse({ control: false }).lan).toEqual({ control: false });
    expect(parseProfile(JSON.stringify(base), "p.json").lan).toBeUndefined();
  });

  it("parses its own output again unchanged (profiles travel to load shards as parsed JSON)", async () => {
    for (const profile of (await loadProfiles()).values())
      expect(parseProfile(JSON.stringify(profile), "again.json")).toEqual(profile);
  });

  it.each([
    [
      "attribute 0",
      { attributes: { "0": { status: "POWER" } } },
      /p\.json: lan\.attributes\.0: an attribute number is 1\.\.65535 in decimal \(got "0"\)/,
    ],
    [
      "attribute 65536",
      { attributes: { "65536": { status: "POWER" } } },
      /lan\.attributes\.65536: .* \(got "65536"\)/,
    ],
    ["attribute 01", { attributes: { "01": { status: "POWER" } } }, /lan\.attributes\.01: .* \(got "01"\)/],
    ["attribute x", { attributes: { x: { status: "POWER" } } }, /lan\.attributes\.x: .* \(got "x"\)/],
    [
      "no such serial",
      { attributes: { "1": { serialId: "9", status: "POWER" } } },
      /lan\.attributes\.1\.serialId: no such serial \(got "9"\)/,
    ],
    [
      "no such status",
      { attributes: { "1": { status: "FAN" } } },
      /lan\.attributes\.1\.status: serial "0" has no such status \(got "FAN"\)/,
    ],
    [
      "an inherited name",
      { attributes: { "1": { status: "constructor" } } },
      /lan\.attributes\.1\.status: .* \(got "constructor"\)/,
    ],
    [
      "the same status twice",
      { attributes: { "1": { status: "POWER" }, "5": { serialId: "0", status: "POWER" } } },
      /lan\.attributes\.5\.status: attribute 1 names the same status \(got "POWER"\)/,
    ],
    [
      "number for a word",
      { attributes: { "2": { status: "MODE", type: "number" } } },
      /lan\.attributes\.2\.type: MODE may be "auto", not a number \(got "number"\)/,
    ],
    [
      "an unknown access",
      { attributes: { "1": { status: "POWER", access: "write-only" } } },
      /lan\.attributes\.1\.access: .* \(got "write-only"\)/,
    ],
    ["an unknown field", { attributes: {}, port: 7681 }, /lan: Unrecognized key: "port"/],
    ["control not a boolean", { control: 1 }, /lan\.control: .* \(got 1\)/],
  ])("refuses %s, naming the field and the value", (_, lan, message) => {
    expect(() => parse(lan)).toThrow(message);
  });

  it("refuses a lan section on a sub-device: its gateway answers on the LAN", () => {
    expect(() => parse({ control: true }, { kind: "sub-device" })).toThrow(
      /p\.json: lan: a sub-device has no LAN side of its own/,
    );
  });
});

describe("ProfileModel statuses", () => {
  it("each device keeps statuses of its own, and the profile's stay as shipped", async () => {
    const profile = (await loadProfiles()).get("three-gang-switch");
    if (profile === undefined) throw new Error("no three-gang-switch profile");
    const shipped = JSON.stringify(profile.serials);
    const [serialId, statuses] = Object.entries(profile.serials)[0] ?? [];
    const [statusName] = Object.keys(statuses ?? {});
    if (serialId === undefined || statusName === undefined) throw new Error(`${profile.model}: no status`);
    const one = new ProfileModel("d1", profile);
    const two = new ProfileModel("d2", profile);
    (one.status[serialId] as Record<string, string>)[statusName] = "changed";
    expect(two.status[serialId]?.[statusName]).not.toBe("changed");
    expect(JSON.stringify(profile.serials)).toBe(shipped);
    expect(two.status).toEqual(profile.serials);
  });
});

describe("ProfileModel constraints and module versions", () => {
  it("a 2001 constrains only the device it reached; the others of its profile share none", async () => {
    const profile = (await loadProfiles()).get("air-conditioner");
    if (profile === undefined) throw new Error("no air-conditioner profile");
    const [module] = profile.modules;
    if (module === undefined) throw new Error("air-conditioner: no module");
    const one = new ProfileModel("d1", profile);
    const two = new ProfileModel("d2", profile);
    const context = {
      clock: new VirtualClock(),
      logger: pino({ level: "silent" }),
      misbehaviour: wellBehaved(),
      request: () => Promise.reject(new Error("no platform")),
    };
    const asc = { POWER: "1" as const };
    const handled = one.handle(
      { code: 2001, body: { sequence: "1", deviceId: "d1", asc, time: 1 } } as never,
      context,
    );
    expect(handled.fields.result).toBe(0);
    expect(one.constraints).toEqual(asc);
    expect(two.constraints).toEqual({});
    one.handle(
      { code: 2001, body: { sequence: "2", deviceId: "d1", asc: { MODE: "0" }, time: 1 } } as never,
      context,
    );
    expect(one.constraints).toEqual({ POWER: "1", MODE: "0" });
    expect(two.constraints).toEqual({});
    expect([one.moduleVersion(module.name), two.moduleVersion(module.name)]).toEqual([
      module.version,
      module.version,
    ]);
  });
});
