import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lanKeyMatches } from "../harness/protocol/md/lan-key.ts";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const RAND = "0000000000000042";

const scratch = () => mkdtemp(join(tmpdir(), "hilfarm-lan-key-"));

interface Registered {
  deviceId: string;
  pin: string;
}

/** The first device of a registry file (JSON). */
async function firstDevice(file: string): Promise<Registered> {
  const { devices } = JSON.parse(await readFile(file, "utf8")) as { devices: Registered[] };
  if (devices[0] === undefined) throw new Error(`${file} has no device`);
  return devices[0];
}

/**
 * Runs a command until it prints its ready line, asks its API for the lanKey of the first device of `registry` (read
 * once the command is ready: `hilfarm up` writes it), and stops it.
 */
async function lanKeyFrom(argv: string[], registry: string) {
  const { io, nextLine } = bufferIo();
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const run = main([...argv, "--log-file", join(await scratch(), "hilfarm.log")], io, () => stopped);
  try {
    const ready = await nextLine();
    const device = await firstDevice(registry);
    const response = await fetch(`${String(ready.http)}/api/devices/${device.deviceId}/lan-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rand: RAND }),
    });
    const json = (await response.json()) as { lanKey: string; liveTime: number };
    return { status: response.status, json, pin: device.pin };
  } finally {
    stop("SIGTERM");
    expect(await run).toBe(0);
  }
}

const LAB = "examples/registry/lab.json";
const PLATFORM = ["platform", "--registry", LAB, ...FREE_PORTS, "--no-mqtt"];

describe("--lan-key-live-time", () => {
  it("is the liveTime `hilfarm platform` gives with each lanKey (default 300)", async () => {
    const answer = await lanKeyFrom([...PLATFORM, "--lan-key-live-time", "42"], LAB);
    expect(answer.status).toBe(200);
    expect(answer.json.liveTime).toBe(42);
    expect(lanKeyMatches(RAND, answer.json.lanKey, answer.pin)).toBe(true);
    expect((await lanKeyFrom(PLATFORM, LAB)).json.liveTime).toBe(300);
  });

  it("is the liveTime `hilfarm up` gives with each lanKey", async () => {
    const registryOut = join(await scratch(), "fleet-registry.json");
    const argv = ["up", "--fleet", "examples/fleet.json", "--registry-out", registryOut, ...FREE_PORTS];
    const answer = await lanKeyFrom([...argv, "--no-mqtt", "--lan-key-live-time", "7"], registryOut);
    expect(answer.status).toBe(200);
    expect(answer.json.liveTime).toBe(7);
    expect(lanKeyMatches(RAND, answer.json.lanKey, answer.pin)).toBe(true);
  });

  it.each([["0"], ["86401"], ["1.5"], ["soon"]])(
    "refuses %s with exit code 2 and one line naming the option",
    async (value) => {
      const { io, stderr } = bufferIo();
      const code = await main(
        [...PLATFORM, "--lan-key-live-time", value, "--log-file", join(await scratch(), "bad.log")],
        io,
        () => new Promise(() => undefined),
      );
      expect(code).toBe(2);
      expect(stderr()).toBe(
        `hilfarm: --lan-key-live-time must be an integer in 1..86400, got ${JSON.stringify(value)}\n`,
      );
    },
  );
});
