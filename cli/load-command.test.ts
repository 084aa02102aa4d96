import { describe, expect, it } from "vitest";
import { overfullPlatformShares, platformProcessesFor } from "./load-command.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const fleet = (transport: string, count: number) => ({ transport, devices: new Array(count) });

describe("hilfarm load --platform-processes", () => {
  it("gives a fleet that may use TCP one reference platform process per 18,000 devices, a UDP fleet one", () => {
    expect(platformProcessesFor(fleet("udp", 100_000))).toBe(1);
    expect(platformProcessesFor(fleet("tcp", 1))).toBe(1);
    expect(platformProcessesFor(fleet("tcp", 18_000))).toBe(1);
    expect(platformProcessesFor(fleet("tcp", 18_001))).toBe(2);
    // `auto` moves to TCP after repeated logins (5.4.2.2): it counts as TCP.
    expect(platformProcessesFor(fleet("auto", 100_000))).toBe(6);
  });

  it("exits 2 naming --ramp-hold and its value when it is neither off nor a whole number of ms in range", async () => {
    for (const value of ["0", "2.5", "60001", "never", ""]) {
      const { io, stderr } = bufferIo();
      const argv = ["load", "--fleet", "examples/load-fleet.json", "--ramp-hold", value];
      expect(await main(argv, io, () => new Promise(() => undefined)), value).toBe(2);
      expect(stderr()).toContain(
        `--ramp-hold must be off or a whole number of ms in 1..60000, got ${JSON.stringify(value)}`,
      );
    }
  });

  it("exits 2 naming the option when the platform is not the reference platform hilfarm starts", async () => {
    const { io, stderr } = bufferIo();
    const argv = ["load", "--fleet", "examples/load-fleet.json", "--platform", "127.0.0.1:1"];
    const code = await main([...argv, "--platform-processes", "2"], io, () => new Promise(() => undefined));
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--platform-processes 2: only the reference platform/);
  });

  it("exits 2 naming --separate-cpus when the platform is not the one hilfarm starts here", async () => {
    const { io, stderr } = bufferIo();
    const argv = ["load", "--fleet", "examples/load-fleet.json", "--platform", "127.0.0.1:1"];
    const code = await main([...argv, "--separate-cpus"], io, () => new Promise(() => undefined));
    expect(code).toBe(2);
    expect(stderr()).toMatch(
      /--separate-cpus with --platform 127\.0\.0\.1:1: it keeps the reference platform/,
    );
  });

  it("exits 2 naming --idle-workers when the workers are not started here (--broker)", async () => {
    const { io, stderr } = bufferIo();
    const argv = ["load", "--fleet", "examples/load-fleet.json", "--broker", "mqtt://127.0.0.1:1"];
    const code = await main([...argv, "--idle-workers"], io, () => new Promise(() => undefined));
    expect(code).toBe(2);
    expect(stderr()).toMatch(
      /--idle-workers with --broker mqtt:\/\/127\.0\.0\.1:1: hilfarm starts no workers here/,
    );
  });

  it("exits 2 naming both counts when there are fewer workers than platform processes", async () => {
    const { io, stderr } = bufferIo();
    const argv = [
      "load",
      "--fleet",
      "examples/load-fleet.json",
      "--workers",
      "2",
      "--platform-processes",
      "3",
    ];
    const code = await main(argv, io, () => new Promise(() => undefined));
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--workers 2 is fewer than the 3 platform processes/);
  });

  it("exits 2 naming --api and its value when hilfarm starts several platform processes, each with its own API", async () => {
    const { io, stderr } = bufferIo();
    const argv = ["load", "--fleet", "examples/load-fleet.json", "--api", "http://127.0.0.1:1"];
    const code = await main([...argv, "--platform-processes", "2"], io, () => new Promise(() => undefined));
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--api "http:\/\/127\.0\.0\.1:1": hilfarm starts 2 platform processes/);
  });

  it("warns of each platform process whose share of a TCP fleet is more than one process holds, and what to change", () => {
    const uneven = [new Array(18_000), new Array(18_001), new Array(9_000)];
    expect(overfullPlatformShares("udp", uneven)).toEqual([]);
    // `auto` devices hold TCP connections only once they move to TCP: no warning from the plan alone.
    expect(overfullPlatformShares("auto", uneven)).toEqual([]);
    expect(overfullPlatformShares("tcp", uneven)).toEqual([
      "hilfarm: platform process 2 of 3 serves 18,001 TCP devices, more than the 18,000 one process holds; the rest will be refused. Give --workers a multiple of the platform processes, or more --platform-processes\n",
    ]);
    const even = [new Array(20_000), new Array(20_000)];
    expect(overfullPlatformShares("tcp", even).map((w) => w.slice(w.indexOf("refused.")))).toEqual([
      "refused. Give more --platform-processes\n",
      "refused. Give more --platform-processes\n",
    ]);
  });
});
