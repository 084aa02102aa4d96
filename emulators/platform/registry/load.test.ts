import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryError } from "./errors.ts";
import { loadRegistry, parseRegistryCsv, parseRegistryJson } from "./load.ts";

const EXAMPLES = fileURLToPath(new URL("../../../examples/registry/", import.meta.url));
const PIN = "Zq7xR2mK9vL4nB8cW3tY6hJ1pF5sD0gA";
const PIN2 = "kP3wQ8eR2tY7uI1oA6sD9fG4hJ0lZ5xC";
const HEADER = "deviceId,pin,bindKey,model,parentId";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-registry-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function refusal(load: Promise<unknown>): Promise<RegistryError> {
  const error = await load.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

function refusalSync(parse: () => unknown): RegistryError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error("expected a RegistryError");
}

const csv = (...rows: string[]) => `${[HEADER, ...rows].join("\n")}\n`;

describe("loadRegistry: the example files", () => {
  it("loads lab.json and lab.csv to the same registry", async () => {
    const fromJson = await loadRegistry(join(EXAMPLES, "lab.json"));
    const fromCsv = await loadRegistry(join(EXAMPLES, "lab.csv"));
    expect(fromCsv.all()).toStrictEqual(fromJson.all());
    expect(fromJson.size).toBe(6);
    const gateways = fromJson.all().filter((d) => d.model === "CT-GW-01");
    expect(gateways).toHaveLength(1);
    const gatewayId = gateways[0]?.deviceId ?? "";
    expect(fromJson.subDevicesOf(gatewayId).map((d) => d.model)).toEqual(
      fromCsv.subDevicesOf(gatewayId).map((d) => d.model),
    );
    expect(fromJson.subDevicesOf(gatewayId)).toHaveLength(3);
    expect(fromJson.all().filter((d) => d.parentId === undefined)).toHaveLength(3);
    for (const device of fromJson.all()) expect(device.deviceId).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe("parseRegistryCsv", () => {
  it("skips comments, blank lines and spreadsheet-blank rows; empty cells are absent; CRLF and BOM are fine", () => {
    const text = `\uFEFF# lab\r\n${HEADER}\r\n\r\ngw,${PIN},,CT-GW-01,\r\n,,,,\r\n# a comment\r\nsub,${PIN2},,,gw\r\n`;
    const registry = parseRegistryCsv(text, "lab.csv");
    expect(registry.all()).toEqual([
      { deviceId: "gw", pin: PIN, model: "CT-GW-01" },
      { deviceId: "sub", pin: PIN2, parentId: "gw" },
    ]);
  });

  it("accepts the columns in any order, the optional ones left out, and a parent named after its child", () => {
    const registry = parseRegistryCsv(`parentId,pin,deviceId\ngw,${PIN},sub\n,${PIN2},gw\n`, "x.csv");
    expect(registry.subDevicesOf("gw").map((d) => d.deviceId)).toEqual(["sub"]);
  });

  it("names the first line of a row whose quoted cell spans lines", () => {
    const error = refusalSync(() => parseRegistryCsv(csv(`a,${PIN},,"two\nlines",`, "b,short,,,"), "m.csv"));
    expect(error.problems.map((p) => p.line)).toEqual([4]);
  });

  it.each([
    ["missing pin", csv(`a,${PIN},,,`, "b,,,,"), 3, "pin", /is required/],
    [
      "short pin",
      csv("a,abcdefghijkl,,,"),
      2,
      "pin",
      /^must be 32 printable ASCII characters, got 12 characters$/,
    ],
    ["bad deviceId", csv(`a b!,${PIN},,,`), 2, "deviceId", /letters, digits/],
    ["duplicate id", csv(`a,${PIN},,,`, `b,${PIN},,,`, `a,${PIN2},,,`), 4, "deviceId", /duplicate.*line 2/],
    ["unknown parentId", csv(`a,${PIN},,,`, `b,${PIN},,,zz`), 3, "parentId", /no device has deviceId "zz"/],
    [
      "nested sub-device",
      csv(`gw,${PIN},,,`, `s,${PIN},,,gw`, `ss,${PIN},,,s`),
      4,
      "parentId",
      /itself a sub-device/,
    ],
    ["row with too few cells", csv(`a,${PIN},,,`, `b,${PIN}`), 3, "columns", /expected 5 cells.*got 2/],
    ["row with too many cells", csv(`a,${PIN},,,,extra`), 2, "columns", /got 6/],
    ["unclosed quote", csv(`a,"${PIN},,,`), 2, "csv", /malformed CSV/],
    ["unknown column", "deviceId,pin,bindkey\n", 1, "header", /unknown column "bindkey"/],
    ["missing column", "# c\ndeviceId,model\n", 2, "header", /missing column "pin"/],
  ])("refuses a %s with file, line and field", async (_, text, line, field, message) => {
    const path = await write("bad.csv", text);
    const error = await refusal(loadRegistry(path));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: path, line, field });
    expect(error.problems[0]?.message).toMatch(message);
    expect(error.message).toContain(`${path}:${line}: ${field}: `);
  });

  it("refuses a file without a header line", () => {
    expect(() => parseRegistryCsv("# nothing here\n\n", "e.csv")).toThrow(/e\.csv: header: no header line/);
  });

  it("reports every bad row of a file in one error, in line order", async () => {
    const text = csv(
      `a,${PIN},,,`,
      "b,short,,,",
      `c d,${PIN},,,`,
      `a,${PIN2},,,`,
      `e,${PIN}`,
      `f,${PIN},,,nope`,
    );
    const error = await refusal(loadRegistry(await write("many.csv", text)));
    expect(error.problems.map((p) => [p.line, p.field])).toEqual([
      [3, "pin"],
      [4, "deviceId"],
      [5, "deviceId"],
      [6, "columns"],
      [7, "parentId"],
    ]);
    expect(error.message.split("\n")).toHaveLength(6);
  });
});

describe("parseRegistryJson", () => {
  const good = {
    devices: [
      {
        deviceId: "gw",
        pin: PIN,
        bindKey: "bk",
        model: "CT-GW-01",
        subDevices: [{ deviceId: "s1", pin: PIN2 }],
      },
      { deviceId: "plug", pin: PIN2 },
    ],
  };

  it("flattens sub-devices after their gateway with parentId", () => {
    const registry = parseRegistryJson(JSON.stringify(good), "g.json");
    expect(registry.all()).toEqual([
      { deviceId: "gw", pin: PIN, bindKey: "bk", model: "CT-GW-01" },
      { deviceId: "s1", pin: PIN2, parentId: "gw" },
      { deviceId: "plug", pin: PIN2 },
    ]);
  });

  it("names the line and the JSON path of a bad field, or of the device when a field is missing", () => {
    const text = JSON.stringify(
      {
        devices: [
          { deviceId: "a", pin: PIN },
          { deviceId: "b", subDevices: [{ deviceId: "c", pin: "short" }] },
        ],
      },
      null,
      2,
    );
    const error = refusalSync(() => parseRegistryJson(text, "lab.json"));
    expect(error.problems.map((p) => [p.path, p.field])).toEqual([
      ["devices[1].pin", "pin"],
      ["devices[1].subDevices[0].pin", "pin"],
    ]);
    const lineText = (line: number | undefined) => text.split("\n")[(line ?? 0) - 1] ?? "";
    const [missing, short] = error.problems;
    expect(lineText(missing?.line).trim()).toBe("{");
    expect(lineText((missing?.line ?? 0) + 1)).toContain('"deviceId": "b"');
    expect(lineText(short?.line)).toContain('"pin": ');
    expect(error.message).toContain(`lab.json:${short?.line}: devices[1].subDevices[0].pin: must be 32`);
  });

  it.each([
    ["missing pin", { devices: [{ deviceId: "a" }] }, "devices[0].pin", "pin"],
    ["short pin", { devices: [{ deviceId: "a", pin: "x".repeat(31) }] }, "devices[0].pin", "pin"],
    ["bad deviceId", { devices: [{ deviceId: "a/b", pin: PIN }] }, "devices[0].deviceId", "deviceId"],
    [
      "duplicate id",
      { devices: [{ deviceId: "a", pin: PIN, subDevices: [{ deviceId: "a", pin: PIN }] }] },
      "devices[0].subDevices[0].deviceId",
      "deviceId",
    ],
    [
      "nested sub-device",
      { devices: [{ deviceId: "a", pin: PIN, subDevices: [{ deviceId: "b", pin: PIN, subDevices: [] }] }] },
      "devices[0].subDevices[0].subDevices",
      "subDevices",
    ],
    [
      "unknown field",
      { devices: [{ deviceId: "a", pin: PIN, bindkey: "x" }] },
      "devices[0].bindkey",
      "bindkey",
    ],
    ["device that is no object", { devices: [{ deviceId: "a", pin: PIN }, 3] }, "devices[1]", "devices"],
    ["missing devices", { device: [] }, "devices", "devices"],
  ])("refuses a %s with file, line, path and field", async (_, value, path, field) => {
    const file = await write("bad.json", JSON.stringify(value, null, 2));
    const error = await refusal(loadRegistry(file));
    expect(error.problems[0]).toMatchObject({ file, path, field, line: expect.any(Number) });
  });

  it("refuses malformed JSON with the line of the syntax error", async () => {
    const file = await write(
      "broken.json",
      `{\n  "devices": [\n    { "deviceId": "a" "pin": "${PIN}" }\n  ]\n}\n`,
    );
    const error = await refusal(loadRegistry(file));
    expect(error.problems).toEqual([
      { file, line: 3, field: "json", message: expect.stringMatching(/^not valid JSON/) },
    ]);
  });

  it("reports every bad device of a file in one error", () => {
    const text = JSON.stringify({
      devices: [
        { deviceId: "a", pin: "1" },
        { deviceId: "", pin: PIN },
        { deviceId: "c", pin: PIN, subDevices: [{ deviceId: "a", pin: PIN }, { pin: 5 }] },
      ],
    });
    const error = refusalSync(() => parseRegistryJson(text, "m.json"));
    expect(error.problems.map((p) => p.path)).toEqual([
      "devices[0].pin",
      "devices[1].deviceId",
      "devices[2].subDevices[1].deviceId",
      "devices[2].subDevices[1].pin",
      "devices[2].subDevices[0].deviceId",
    ]);
  });
});

describe("loadRegistry: the file itself", () => {
  it("refuses an unknown extension, naming the path and the accepted extensions", async () => {
    const path = await write("lab.yaml", "devices: []\n");
    const error = await refusal(loadRegistry(path));
    expect(error.problems).toEqual([
      { file: path, field: "path", message: expect.stringMatching(/\.json or \.csv/) },
    ]);
    expect(error.message).toContain(path);
  });

  it("refuses a missing file, naming it", async () => {
    const path = join(dir, "absent.csv");
    const error = await refusal(loadRegistry(path));
    expect(error.problems).toEqual([{ file: path, field: "path", message: expect.stringMatching(/ENOENT/) }]);
  });

  it("loads a good file after refusing a bad one", async () => {
    await refusal(loadRegistry(await write("first.csv", csv("a,short,,,"))));
    const registry = await loadRegistry(await write("second.csv", csv(`a,${PIN},,,`)));
    expect(registry.get("a")?.pin).toBe(PIN);
  });
});

describe("secrets in error messages", () => {
  const pins = [PIN.slice(0, 31), `${PIN2}x`, `${PIN2.slice(0, 31)}\t`, "Xk4-short-Pq9v"];
  const bindKey = "bK7q2XzL9wMe4tRn";

  /** Not even a piece: no 6 characters in a row of any secret. */
  function expectNoSecret(error: RegistryError): void {
    const printed = `${error.message}\n${JSON.stringify(error.problems)}`;
    for (const secret of [...pins, PIN, PIN2, bindKey]) {
      for (let at = 0; at + 6 <= secret.length; at++) expect(printed).not.toContain(secret.slice(at, at + 6));
    }
  }

  it("never prints a PIN or bindKey of a CSV file, whatever is wrong", async () => {
    const rows = pins.map((pin, i) => `d${i},${pin},${bindKey},,`);
    const texts = [
      csv(...rows),
      csv(`d9,"${PIN}"x,,,`),
      csv(`d9,${PIN}`),
      csv(`d0,${PIN},${bindKey},,`, `d0,${PIN2},${bindKey},,`),
      `deviceId,pin\n"d1,${PIN}\n`,
      `deviceId,pin\nd1,ab"${PIN}"\n`,
    ];
    for (const text of texts) expectNoSecret(await refusal(loadRegistry(await write("leak.csv", text))));
  });

  it("never prints a PIN or bindKey of a JSON file, whatever is wrong", async () => {
    const devices = pins.map((pin, i) => ({ deviceId: `d${i}`, pin, bindKey }));
    const texts = [
      JSON.stringify({ devices }),
      JSON.stringify({ devices: [{ deviceId: "a", pin: PIN, bindKey: 12345678 }] }),
      JSON.stringify({ devices: [{ deviceId: "a", pin: 1234567890123 }] }),
      `{"devices": [{"deviceId": "a", "pin": ${PIN}}]}`,
      `${PIN}`,
      `{"devices": [{"deviceId": "a", "pin": "${PIN}" "bindKey": "${bindKey}"}]}`,
      `{"devices": [{"deviceId": "a", "pin": "${PIN}", "bindKey": "${bindKey}\n"}]}`,
      `{"devices": [{"deviceId": "a", "pin": "${PIN}"}]} ${PIN2}`,
      `{"devices": [{"deviceId": "a", "pin": "${PIN}"`,
    ];
    for (const text of texts) {
      const error = await refusal(loadRegistry(await write("leak.json", text)));
      expectNoSecret(error);
      expect(error.message).not.toContain("123456");
    }
  });
});
