import { describe, expect, it } from "vitest";
import { jsonValueLines, lineOfPath } from "./json-lines.ts";

describe("jsonValueLines", () => {
  const text = [
    "{",
    '  "devices": [',
    "    {",
    '      "deviceId": "a\\"b,c}",',
    '      "subDevices": [{ "deviceId": "s" },',
    '        { "pin": null, "n": -1.5e3, "t": true }]',
    "    }",
    "  ],",
    '  "x": {}',
    "}",
  ].join("\n");

  it("gives the line of every value by path, past escaped quotes and nested containers", () => {
    expect(JSON.parse(text)).toBeTruthy();
    const lines = jsonValueLines(text);
    expect(lines.get("")).toBe(1);
    expect(lines.get("devices")).toBe(2);
    expect(lines.get("devices[0]")).toBe(3);
    expect(lines.get("devices[0].deviceId")).toBe(4);
    expect(lines.get("devices[0].subDevices[0].deviceId")).toBe(5);
    expect(lines.get("devices[0].subDevices[1]")).toBe(6);
    expect(lines.get("devices[0].subDevices[1].t")).toBe(6);
    expect(lines.get("x")).toBe(9);
  });

  it("falls back to the nearest enclosing value for a missing path", () => {
    const lines = jsonValueLines(text);
    expect(lineOfPath(lines, "devices[0].subDevices[1].deviceId")).toBe(6);
    expect(lineOfPath(lines, "devices[0].pin")).toBe(3);
    expect(lineOfPath(lines, "nope")).toBe(1);
  });
});
