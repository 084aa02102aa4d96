import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../repo-root.ts";
import { framesFromCapture } from "./from-capture.ts";

const PIN = "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6";
const capture = readFileSync(`${repoRoot}/examples/captures/login-session.frames`, "utf8").split("\n");
const frameLines = capture.filter((l) => l.startsWith("CTS"));

describe("framesFromCapture", () => {
  it("decodes a capture made outside hilfarm: the login with the PIN, the rest with the 1003's session key", () => {
    const { frames, problems } = framesFromCapture(capture, { pin: PIN });
    expect(problems).toEqual([]);
    expect(frames.map((f) => `${f.direction} ${f.code}`)).toEqual([
      "in 1002",
      "out 1003",
      "in 1004",
      "out 1005",
      "in 2006",
      "out 2007",
      "in 1000",
      "out 1001",
      "out 2005",
      "in 2004",
    ]);
    expect(frames.every((f) => f.observer === "platform" && f.deviceId === "0000111122223333aaaabbbb")).toBe(
      true,
    );
    expect(frames[1]?.body).toMatchObject({ sessionKey: "[redacted]", token: "[redacted]" });
    expect(JSON.stringify(frames)).not.toContain("qwertyuiop123456");
  });

  it("reads tcpdump timestamps (HH:MM:SS.ffffff across midnight, -tt epoch seconds, -tttt date and time)", () => {
    const day = Date.UTC(2026, 10, 30);
    const clockOnly = framesFromCapture(
      [
        `23:59:59.500000 IP 10.0.0.5.50000 > 10.0.0.1.8700: ${frameLines[0]}`,
        `00:00:00.250000 IP x > y: ${frameLines[1]}`,
        `00:00:01.000000 IP x > y: ${frameLines[2]}`,
      ],
      { pin: PIN, day },
    );
    expect(clockOnly.frames.map((f) => f.at - day)).toEqual([86_399_500, 86_400_250, 86_401_000]);
    const epoch = framesFromCapture([`1767225600.125 ${frameLines[0]}`, frameLines[1] as string], {
      pin: PIN,
    });
    expect(epoch.frames.map((f) => f.at)).toEqual([1767225600125, 1767225600125]);
    const dated = framesFromCapture([`2026-11-30 08:00:01.5 IP a > b: ${frameLines[0]}`], { pin: PIN });
    expect(dated.frames[0]?.at).toBe(Date.UTC(2026, 10, 30, 8, 0, 1, 500));
  });

  it("reports each line that is not a frame, by number, and goes on", () => {
    const { frames, problems } = framesFromCapture(
      [
        "tcpdump: listening on eth0",
        frameLines[0] as string,
        'CTS{"code":1003,"data":"!!"}',
        frameLines[1] as string,
      ],
      { pin: PIN },
    );
    expect(frames).toHaveLength(2);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe("line 1: no CTS frame on the line");
    expect(problems[1]).toMatch(/^line 3: /);
  });

  it("never throws on arbitrary capture text", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(...frameLines),
            fc.string().map((s) => `CTS${s}`),
          ),
        ),
        (lines) => {
          const { frames, problems } = framesFromCapture(lines, { pin: PIN });
          expect(frames.length + problems.length).toBeLessThanOrEqual(lines.length);
        },
      ),
    );
  });
});
