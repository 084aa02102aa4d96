import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LanSearcher } from "../emulators/device/lan/testing/lan-test-client.ts";
import { FREE_PORTS, killAll, repoRoot, startHilfarm } from "../harness/testing/child-process.ts";

const freePorts = FREE_PORTS;
const hilfarm = startHilfarm;

async function allText(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ["bin/hilfarm.mjs", ...args], { cwd: repoRoot });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((resolve) => child.once("exit", resolve));
  return out;
}

afterEach(killAll);

describe("hilfarm up", () => {
  it("runs the platform and the example fleet; the API shows the whole fleet online; stops on SIGINT", async () => {
    const up = hilfarm(["up", "--fleet", "examples/fleet.json", ...freePorts]);
    const ready = await up.next();
    expect(ready).toMatchObject({
      event: "ready",
      http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      apiAuth: "none",
    });
    expect(ready.surfaces).toMatchObject({
      fanout: { mqtt: ready.mqtt },
      "mc-connection": { tcp: ready.tcp, udp: ready.udp },
      api: { http: ready.http },
      "mc-login": { login: ready.login },
    });
    const summary = await up.next();
    expect(summary).toMatchObject({ event: "summary", devices: 11, online: 11 });
    expect(summary.byModel).toMatchObject({
      "CT-AC-01": { devices: 2, online: 2 },
      "ZB-TEMP-01": { devices: 2, online: 2 },
    });
    const devices = (await (await fetch(`${ready.http}/api/devices`)).json()) as Array<{ online: boolean }>;
    expect(devices).toHaveLength(11);
    expect(devices.every((d) => d.online)).toBe(true);
    // Every device and gateway (not the 5 sub-devices) serves its LAN side, on free ports of 127.0.0.1.
    const lan = ready.lan as Record<string, { discovery: string; control: string }>;
    expect(Object.keys(lan)).toHaveLength(6);
    for (const addresses of Object.values(lan))
      expect(addresses).toEqual({
        discovery: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        control: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      });
    const [deviceId, first] = Object.entries(lan)[0] ?? [];
    const searcher = await LanSearcher.open(first?.discovery ?? "");
    searcher.search("");
    expect(await searcher.next()).toMatchObject({ deviceId, lanControl: 1 });
    searcher.close();
    up.child.kill("SIGINT");
    expect(await up.exited).toBe(0);
  });
});

describe("hilfarm up --faults", () => {
  it("brings the whole fleet online through links with latency, jitter and duplicated frames", async () => {
    const up = hilfarm([
      "up",
      "--fleet",
      "examples/fleet.json",
      "--faults",
      "latency=100,jitter=50,duplicate=0.05",
      "--no-mqtt",
      "--no-lan",
      ...freePorts,
    ]);
    expect(await up.next()).toMatchObject({ event: "ready", lan: {} });
    expect(await up.next()).toMatchObject({ event: "summary", devices: 11, online: 11 });
    up.child.kill("SIGINT");
    expect(await up.exited).toBe(0);
  });

  it("refuses a port that is not a number with exit code 2 and a one-line cause", async () => {
    const up = hilfarm(["up", "--fleet", "examples/fleet.json", "--login-port", "abc"]);
    expect(await up.exited).toBe(2);
    expect(up.stderr.join("")).toBe('hilfarm: --login-port must be an integer in 0..65535, got "abc"\n');
  });

  it("refuses standard LAN ports for more devices than fit in the /24 of --lan-host, with exit code 2", async () => {
    const up = hilfarm([
      "up",
      "--fleet",
      "examples/fleet.json",
      "--lan-ports",
      "standard",
      "--lan-host",
      "127.0.1.250",
      ...freePorts,
    ]);
    expect(await up.exited).toBe(2);
    expect(up.stderr.join("")).toBe(
      "hilfarm: --lan-ports standard: standard LAN ports give each device its own address: 6 devices from " +
        "127.0.1.250 would need 127.0.1.250-127.0.1.255, past 127.0.1.254 (at most 5 from 127.0.1.250); give " +
        "--lan-host a first address with room for every device (e.g. 127.0.1.1), or use --lan-ports free\n",
    );
  });

  it("refuses a fault out of range with exit code 2", async () => {
    const up = hilfarm(["up", "--fleet", "examples/fleet.json", "--faults", "drop=2"]);
    expect(await up.exited).toBe(2);
    expect(up.stderr.join("")).toContain('--faults drop must be a number in 0..1, got "2"');
  });
});

describe("hilfarm devices against a platform in another process", () => {
  it("provisions the platform with `hilfarm registry`, then brings the fleet online", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-fleet-"));
    const fleetFile = join(dir, "fleet.json");
    await writeFile(
      fleetFile,
      JSON.stringify({
        seed: 5,
        devices: [{ profile: "smart-lock", count: 2 }],
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 2 }] },
        ],
      }),
    );
    const registryFile = join(dir, "registry.json");
    await writeFile(registryFile, await allText(["registry", "--fleet", fleetFile]));
    const platform = hilfarm(["platform", "--registry", registryFile, ...freePorts, "--no-mqtt"]);
    const ready = await platform.next();
    const devices = hilfarm(["devices", "--fleet", fleetFile, "--platform", String(ready.login)]);
    const summary = await devices.next();
    expect(summary).toMatchObject({ event: "summary", devices: 5, online: 5 });
    // Two locks and a gateway serve their LAN sides; the summary says where.
    expect(Object.keys(summary.lan as object)).toHaveLength(3);
    const listed = (await (await fetch(`${ready.http}/api/devices`)).json()) as Array<{
      online: boolean;
      model: string;
    }>;
    expect(
      listed
        .filter((d) => d.online)
        .map((d) => d.model)
        .sort(),
    ).toEqual(["CT-GW-01", "LOCK-01", "LOCK-01", "ZB-SW1-01", "ZB-SW1-01"]);
    devices.child.kill("SIGTERM");
    expect(await devices.exited).toBe(0);
    platform.child.kill("SIGTERM");
    expect(await platform.exited).toBe(0);
  });

  it("refuses a fleet naming an unknown profile, with exit code 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-fleet-"));
    const fleetFile = join(dir, "fleet.json");
    await writeFile(fleetFile, JSON.stringify({ devices: [{ profile: "toaster", count: 1 }] }));
    const run = hilfarm(["devices", "--fleet", fleetFile, "--platform", "127.0.0.1:1"]);
    expect(await run.exited).toBe(2);
  });
});

describe("hilfarm up with a mixed fleet", () => {
  const LAB_LOCK = {
    deviceId: "0000111122223333aaaabbbc",
    pin: "QxA71p2Td8VKqxryo1nIj7BRd03Q2ybv",
    model: "LOCK-01",
  };

  it("knows the fleet's real devices, lists them first and marked, and waits for them: one stood in for by a device in another process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-mixed-"));
    const fleet = join(dir, "mixed.json");
    await writeFile(
      fleet,
      JSON.stringify({
        devices: [{ profile: "three-gang-switch", count: 5 }],
        real: [{ ...LAB_LOCK, attach: "network" }],
        lan: { enabled: false },
      }),
    );
    const up = hilfarm(["up", "--fleet", fleet, ...freePorts, "--no-mqtt", "--summary-after", "60"]);
    const ready = await up.next();
    expect(ready.real).toEqual([
      { deviceId: LAB_LOCK.deviceId, real: true, attach: `network: logs in to ${String(ready.login)}` },
    ]);
    // The real device: hilfarm's own lock, in another process, with the credentials the fleet file gives.
    const standIn = join(dir, "stand-in.json");
    await writeFile(
      standIn,
      JSON.stringify({
        devices: [{ profile: "smart-lock", count: 1 }],
        registry: join(repoRoot, "examples/registry/lab.json"),
        lan: { enabled: false },
      }),
    );
    hilfarm(["devices", "--fleet", standIn, "--platform", String(ready.login), "--log-level", "warn"]);
    const summary = await up.next();
    expect(Object.keys(summary).slice(0, 2)).toEqual(["event", "real"]);
    expect(summary).toMatchObject({
      event: "summary",
      real: [{ deviceId: LAB_LOCK.deviceId, real: true, model: "LOCK-01", online: true }],
      devices: 5,
      online: 5,
    });
    const devices = (await (await fetch(`${ready.http}/api/devices`)).json()) as Array<{
      deviceId: string;
      online: boolean;
    }>;
    expect(devices.find((d) => d.deviceId === LAB_LOCK.deviceId)?.online).toBe(true);
    up.child.kill("SIGINT");
    expect(await up.exited).toBe(0);
  });

  it("refuses a real device that is also an emulated one, or attaches in no known way, naming the field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-mixed-"));
    const fleet = join(dir, "bad.json");
    await writeFile(
      fleet,
      JSON.stringify({
        devices: [{ profile: "smart-lock", count: 1 }],
        real: [{ ...LAB_LOCK, attach: "carrier-pigeon" }],
      }),
    );
    const bad = hilfarm(["up", "--fleet", fleet, ...freePorts]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr.join("")).toMatch(
      /real\.0\.attach: expected network, serial:\/\/<port>, mqtt:\/\/<host>:<port> or embedded \(got "carrier-pigeon"\)/,
    );
    // A PIN of the wrong length is named, never shown.
    await writeFile(fleet, JSON.stringify({ devices: [], real: [{ ...LAB_LOCK, pin: "short-secret-pin" }] }));
    const pin = hilfarm(["registry", "--fleet", fleet]);
    expect(await pin.exited).toBe(2);
    expect(pin.stderr.join("")).toMatch(/real\.0\.pin: .* \(got \[redacted\]\)/);
    expect(pin.stderr.join("")).not.toContain("short-secret-pin");
    await writeFile(
      fleet,
      JSON.stringify({
        seed: 1,
        devices: [{ profile: "smart-lock", count: 1 }],
        real: [{ ...LAB_LOCK, deviceId: "e01da5e30000000000000000" }],
      }),
    );
    const twice = hilfarm(["registry", "--fleet", fleet]);
    expect(await twice.exited).toBe(2);
    expect(twice.stderr.join("")).toMatch(
      /real\.0\.deviceId: "e01da5e30000000000000000" is already a device of the fleet/,
    );
  });
});
