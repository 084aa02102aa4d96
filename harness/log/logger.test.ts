import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { SECRET_FIELDS } from "../secrets.ts";
import { createLogger, REDACT_DEPTH, settleLog } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    lines,
    logger: createLogger({
      destination: stream as unknown as NodeJS.WritableStream & { write(s: string): boolean },
    }),
  };
}

describe("createLogger", () => {
  it("redacts every secret field at every depth up to REDACT_DEPTH", () => {
    const { lines, logger } = capture();
    for (const field of SECRET_FIELDS) {
      for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
        let payload: Record<string, unknown> = { [field]: `SECRET-${field}-${depth}` };
        for (let i = 0; i < depth; i++) payload = { [`n${i}`]: payload };
        logger.info(payload, "nested");
      }
    }
    const output = lines.join("");
    expect(output).not.toMatch(/SECRET-/);
    expect(output.match(/\[redacted\]/g)?.length).toBe(SECRET_FIELDS.length * (REDACT_DEPTH + 1));
  });

  it("redacts secrets inside arrays (a registry's devices, a gateway's sub-devices)", () => {
    const { lines, logger } = capture();
    logger.info(
      { devices: [{ deviceId: "gw1", pin: "SECRET-1", subDevices: [{ pin: "SECRET-2" }] }] },
      "registry",
    );
    logger.info({ frames: [{ envelope: { token: "SECRET-3" } }] }, "frames");
    const output = lines.join("");
    expect(output).not.toMatch(/SECRET-/);
    expect(output).toContain('"deviceId":"gw1"');
  });

  it("keeps everything that is not a secret", () => {
    const { lines, logger } = capture();
    logger.info({ deviceId: "0000111122223333aaaabbbb", code: 1002, result: 0 }, "login");
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({ deviceId: "0000111122223333aaaabbbb", code: 1002, result: 0, msg: "login" });
  });
});

describe("settleLog", () => {
  it("puts every line logged so far in the log file, even one opened a moment ago in a new directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hilfarm-log-"));
    try {
      const file = join(dir, "new", "run.log");
      const logger = createLogger({ destination: file });
      for (let i = 0; i < 100; i++) logger.info({ i }, "line");
      await settleLog(logger);
      const lines = readFileSync(file, "utf8").trim().split("\n");
      expect(lines).toHaveLength(100);
      expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([...Array(100).keys()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
