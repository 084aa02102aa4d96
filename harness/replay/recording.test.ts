import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import { readRecording } from "./recording.ts";

const header = JSON.stringify({ format: "hilfarm-evidence/1" });
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ at: 0, deviceId: "dev1", code: 1000, name: "x", body: {}, ...fields });

describe("readRecording", () => {
  it("takes the platform's view when the file has both, and says who sent each frame", () => {
    const text = [
      header,
      line({ observer: "device", direction: "out", code: 1000, sequence: "1" }),
      line({ observer: "platform", direction: "in", code: 1000, sequence: "1" }),
      line({ observer: "platform", direction: "out", code: 1001, sequence: "1", at: 3 }),
      line({ observer: "device", direction: "in", code: 1001, sequence: "1", at: 4 }),
    ].join("\n");
    const recording = readRecording(text, "f.jsonl");
    expect(recording).toMatchObject({ deviceId: "dev1", observer: "platform" });
    expect(recording.frames.map((f) => [f.line, f.from, f.code, f.name])).toEqual([
      [3, "device", 1000, "HeartbeatRequest"],
      [4, "platform", 1001, "HeartbeatResponse"],
    ]);
  });

  it("reads a device's own view the other way round, and skips refused logins recorded without a body", () => {
    const text = [
      header,
      line({ observer: "device", direction: "out", code: 1000 }),
      line({ observer: "device", direction: "in", code: 1001 }),
      line({ observer: "device", direction: "in", code: 1002, note: "login refused" }),
    ].join("\n");
    expect(readRecording(text, "f").frames.map((f) => f.from)).toEqual(["device", "platform"]);
  });

  it("asks which device when the file holds several, and names file, line, field and value for a bad line", () => {
    const two = [
      header,
      line({ observer: "platform", direction: "in" }),
      line({ observer: "platform", direction: "in", deviceId: "dev2" }),
    ].join("\n");
    expect(() => readRecording(two, "two.jsonl")).toThrow(
      /two.jsonl: frames of 2 devices \(dev1, dev2\): name one with --device-id/,
    );
    expect(readRecording(two, "two.jsonl", "dev2").frames).toHaveLength(1);
    expect(() => readRecording(two, "two.jsonl", "dev9")).toThrow(/no frames of device "dev9"/);
    expect(() =>
      readRecording(`${header}\n${line({ observer: "platform", direction: "sideways" })}`, "bad.jsonl"),
    ).toThrow(/bad.jsonl: line 2: direction: .*\(got "sideways"\)/);
    expect(() =>
      readRecording(`${header}\n${line({ observer: "platform", direction: "in", code: 4242 })}`, "b"),
    ).toThrow(/b: line 2: code: not an Mc packet type \(got 4242\)/);
    expect(() =>
      readRecording(`${header}\n${line({ observer: "platform", direction: "in", sequence: "70000" })}`, "s"),
    ).toThrow(/s: line 2: sequence: expected a sequence in 0\.\.65535 \(got "70000"\)/);
    expect(() => readRecording("CTS{}", "capture.txt")).toThrow(
      /capture.txt: line 1: not a hilfarm evidence file/,
    );
  });

  it("any text gives a recording or a UsageError, never another exception", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.json(), fc.constant(line({ observer: "platform", direction: "in" }))),
        ),
        (lines) => {
          try {
            readRecording([header, ...lines].join("\n"), "fuzz");
          } catch (error) {
            expect(error).toBeInstanceOf(UsageError);
          }
        },
      ),
    );
  });
});
