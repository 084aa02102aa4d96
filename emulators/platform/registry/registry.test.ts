import { describe, expect, it } from "vitest";
import { UsageError } from "../../../harness/errors.ts";
import { sameHiddenClassCheck } from "../../../harness/testing/hidden-class.ts";
import { RegistryError } from "./errors.ts";
import { type RegisteredDevice, Registry } from "./registry.ts";

const PIN_A = "AAAAbbbbCCCCdddd0000111122223333";
const PIN_B = "pin-with spaces and ~punctuation!";

function refusal(run: () => unknown): RegistryError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error("expected a RegistryError");
}

describe("Registry.fromDevices", () => {
  const gateway: RegisteredDevice = { deviceId: "gw-1", pin: PIN_A, model: "CT-GW-01", bindKey: "bk" };
  const devices: RegisteredDevice[] = [
    gateway,
    { deviceId: "door-1", pin: PIN_A, parentId: "gw-1" },
    { deviceId: "plug-1", pin: PIN_B.slice(0, 32) },
    { deviceId: "temp-1", pin: PIN_A, parentId: "gw-1" },
  ];

  it("answers get, has, size, all and subDevicesOf in file order", () => {
    const registry = Registry.fromDevices(devices);
    expect(registry.size).toBe(4);
    expect(registry.get("gw-1")).toEqual(gateway);
    expect(registry.has("plug-1")).toBe(true);
    expect(registry.has("nope")).toBe(false);
    expect(registry.get("nope")).toBeUndefined();
    expect(registry.all().map((d) => d.deviceId)).toEqual(["gw-1", "door-1", "plug-1", "temp-1"]);
    expect(registry.subDevicesOf("gw-1").map((d) => d.deviceId)).toEqual(["door-1", "temp-1"]);
    expect(registry.subDevicesOf("plug-1")).toEqual([]);
  });

  it("keeps its own copies: changing the input or a returned list changes nothing", () => {
    const input = devices.map((d) => ({ ...d }));
    const registry = Registry.fromDevices(input);
    if (input[0]) input[0].model = "changed";
    registry.all().pop();
    registry.subDevicesOf("gw-1").pop();
    expect(registry.get("gw-1")?.model).toBe("CT-GW-01");
    expect(registry.size).toBe(4);
    expect(registry.subDevicesOf("gw-1")).toHaveLength(2);
    expect(Object.isFrozen(registry.get("gw-1"))).toBe(true);
  });

  it("gives its entries of the same fields one hidden class, however many (the platform keeps one per device)", () => {
    const many = Array.from({ length: 2_000 }, (_, i) => ({ deviceId: `d-${i}`, pin: PIN_A, model: "m" }));
    const entries = Registry.fromDevices(many).all();
    const sameMap = sameHiddenClassCheck();
    const first = entries[0];
    const apart = entries.filter((entry) => !sameMap(entry, first)).length;
    expect(apart).toBe(0);
    expect(Object.isFrozen(entries.at(-1))).toBe(true);
  });

  it("accepts an empty list", () => {
    expect(Registry.fromDevices([]).size).toBe(0);
  });

  it("refuses bad entries as a whole with every problem, by path, without the PIN", () => {
    const error = refusal(() =>
      Registry.fromDevices([
        { deviceId: "a", pin: PIN_A },
        { deviceId: "a", pin: PIN_A.slice(0, 12) },
        { deviceId: "b c", pin: PIN_A, parentId: "zz" },
      ]),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.code).toBe("USAGE");
    expect(error.problems.map((p) => [p.path, p.field])).toEqual([
      ["devices[1].pin", "pin"],
      ["devices[2].deviceId", "deviceId"],
      ["devices[1].deviceId", "deviceId"],
      ["devices[2].parentId", "parentId"],
    ]);
    expect(error.message).toContain(
      "devices[1].pin: must be 32 printable ASCII characters, got 12 characters",
    );
    expect(error.message).not.toContain(PIN_A.slice(0, 12));
  });

  it("refuses a sub-device of a sub-device and a device that is its own parent", () => {
    const error = refusal(() =>
      Registry.fromDevices([
        { deviceId: "gw", pin: PIN_A },
        { deviceId: "sub", pin: PIN_A, parentId: "gw" },
        { deviceId: "subsub", pin: PIN_A, parentId: "sub" },
        { deviceId: "self", pin: PIN_A, parentId: "self" },
      ]),
    );
    expect(error.problems.map((p) => [p.path, p.field])).toEqual([
      ["devices[2].parentId", "parentId"],
      ["devices[3].parentId", "parentId"],
    ]);
    expect(error.problems[0]?.message).toMatch(/itself a sub-device/);
  });

  it("refuses a PIN with a non-printable character and a device id over 64 characters", () => {
    const error = refusal(() =>
      Registry.fromDevices([
        { deviceId: "x".repeat(65), pin: `${PIN_A.slice(0, 31)}\u00e9` },
        { deviceId: "", pin: PIN_A },
      ]),
    );
    expect(error.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "devices[0].deviceId: must be at most 64 characters, got 65",
      "devices[0].pin: must be 32 printable ASCII characters, got a non-printable or non-ASCII character",
      "devices[1].deviceId: must not be empty",
    ]);
  });
});
