import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runHilfarm } from "../harness/testing/child-process.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const PIN = "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6";
const capture = `${root}examples/captures/login-session.frames`;
const damaged = `${root}examples/captures/damaged-session.frames`;

/** Runs the real `hilfarm` bin as a separate process. */
const hilfarm = runHilfarm;

const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { code: number; body: Record<string, unknown> });

describe("hilfarm frame decode (separate process)", () => {
  it("decodes a session that an independent implementation (bash + OpenSSL) produced", async () => {
    const { stdout: made } = await promisify(execFile)("bash", [
      `${root}examples/captures/make-login-session.sh`,
    ]);
    // AES-CBC with a fixed key and IV is deterministic: the committed capture is exactly what the script makes.
    expect(made).toBe(await readFile(capture, "utf8"));
    const run = await hilfarm(["frame", "decode", "--pin", PIN, "-"], made);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const frames = jsonLines(run.stdout);
    expect(frames.map((f) => f.code)).toEqual([1002, 1003, 1004, 1005, 2006, 2007, 1000, 1001, 2005, 2004]);
    expect(frames[0]?.body).toEqual({
      sequence: "12345",
      deviceId: "0000111122223333aaaabbbb",
      version: "1.0.0.1",
      time: 1361542433,
    });
    expect(frames[9]?.body).toMatchObject({ dscp: "操作成功" });
  });

  it("reports each malformed line with its reason, keeps going, and exits 1", async () => {
    const run = await hilfarm(["frame", "decode", "--pin", PIN, damaged]);
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout).map((f) => f.code)).toEqual([
      1002, 1003, 1004, 1005, 1000, 1001, 2005, 2004,
    ]);
    const errors = run.stderr.trim().split("\n");
    expect(errors.map((l) => l.split(":")[1]?.trim())).toEqual([
      "BAD_JSON",
      "NO_PREFIX",
      "BAD_BASE64",
      "BAD_BODY_JSON",
      "DECRYPT_FAILED",
      "BAD_BODY",
      "UNKNOWN_CODE",
    ]);
    expect(errors.every((l) => /^line \d+: [A-Z0-9_]+: .+/.test(l))).toBe(true);
  });

  it("encode then decode round-trips through the command line", async () => {
    const body = { sequence: "7", token: "qwertyuiop123456", time: 1361542433 };
    const encoded = await hilfarm(
      [
        "frame",
        "encode",
        "--code",
        "1000",
        "--session-key",
        "abcdef0123456789",
        "--token",
        "qwertyuiop123456",
      ],
      JSON.stringify(body),
    );
    expect(encoded.code).toBe(0);
    expect(encoded.stdout).toMatch(
      /^CTS\{"code":1000,"token":"qwertyuiop123456","data":"[A-Za-z0-9+/=]+"\}\n$/,
    );
    const decoded = await hilfarm(["frame", "decode", "--session-key", "abcdef0123456789"], encoded.stdout);
    expect(decoded.code).toBe(0);
    expect(jsonLines(decoded.stdout)[0]?.body).toEqual(body);
  });

  it("exits 2 with a one-line cause on a usage error", async () => {
    const shortPin = await hilfarm(["frame", "decode", "--pin", "short", capture]);
    expect(shortPin.code).toBe(2);
    expect(shortPin.stderr).toBe("hilfarm: pin must be 32 printable ASCII characters, got 5 characters\n");
    const noKey = await hilfarm(["frame", "decode", capture]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/give --pin/);
    const badCode = await hilfarm(["frame", "encode", "--code", "999", "--pin", PIN, "{}"]);
    expect(badCode.code).toBe(2);
    expect(badCode.stderr).toMatch(/--code must be a packet type .* got "999"/);
  });
});
