import { describe, expect, it } from "vitest";
import { loadProfiles, parseProfile } from "./load.ts";

describe("shipped profiles", () => {
  it("all load and validate", async () => {
    const profiles = await loadProfiles();
    expect([...profiles.keys()]).toEqual([
      "air-conditioner",
      "air-purifier",
      "door-window-sensor",
      "smart-lock",
      "temperature-humidity-sensor",
      "three-gang-switch",
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
