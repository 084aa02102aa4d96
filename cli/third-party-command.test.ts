import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ThirdPartyClient } from "../emulators/interop/third-party-client.ts";
import { tlsTransport } from "../emulators/interop/transport.ts";
import { RealClock } from "../harness/clock/real-clock.ts";
import { seededRandom } from "../harness/random/random.ts";
import {
  FREE_PORTS,
  killAll,
  type RunningProcess,
  runHilfarm,
  startHilfarm,
} from "../harness/testing/child-process.ts";

const CLOUD_ID = "lab-cloud";
const CLOUD_KEY = "lab-cloud-key";
const PLATFORM_ID = "lab-platform";
const PLATFORM_KEY = "lab-platform-key";
const dirs: string[] = [];

afterEach(() => {
  killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "hilfarm-third-party-cli-"));
  dirs.push(dir);
  return dir;
};

const client = (url: string, pki: string) =>
  new ThirdPartyClient({
    baseUrl: url,
    cloudId: CLOUD_ID,
    cloudKey: CLOUD_KEY,
    transport: tlsTransport({
      ca: readFileSync(join(pki, "ca.pem"), "utf8"),
      cert: readFileSync(join(pki, "client.pem"), "utf8"),
      key: readFileSync(join(pki, "client-key.pem"), "utf8"),
    }),
    clock: new RealClock(),
    random: seededRandom(1),
    timeoutMs: 10_000,
  });

/** Resolves when a stderr line of the process contains `text` (its logs, at debug). */
function logged(p: RunningProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (p.stderr.join("").includes(text)) return resolve();
    const check = () => {
      if (!p.stderr.join("").includes(text)) return;
      p.child.stderr.off("data", check);
      resolve();
    };
    p.child.stderr.on("data", check);
  });
}

const base = ["third-party", "--cloud-id", CLOUD_ID, "--cloud-key", CLOUD_KEY];

describe("hilfarm third-party", () => {
  it("prints a ready line with its URL, PKI and devices' SNs, answers C21-C31 over mutual TLS, and stops on SIGTERM", async () => {
    const dir = tempDir();
    const tp = startHilfarm([
      ...base,
      "--tls-dir",
      dir,
      "--devices",
      "smart-lock:1,zigbee-gateway:1,zigbee-switch:2",
    ]);
    const ready = await tp.until("ready");
    expect(ready).toMatchObject({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), pki: dir });
    expect(ready.devices).toEqual([
      { deviceSN: "TP-smart-lock-0001", deviceType: "LOCK-01" },
      { deviceSN: "TP-zigbee-gateway-0001", deviceType: "CT-GW-01" },
      { deviceSN: "TP-zigbee-switch-0001", deviceType: "ZB-SW1-01", gwId: "TP-zigbee-gateway-0001" },
      { deviceSN: "TP-zigbee-switch-0002", deviceType: "ZB-SW1-01", gwId: "TP-zigbee-gateway-0001" },
    ]);
    const c = client(String(ready.url), dir);
    expect(await c.call("C22", { deviceSN: "TP-smart-lock-0001" })).toMatchObject({
      code: 0,
      deviceType: "LOCK-01",
    });
    const control = await c.call("C28", {
      deviceSN: "TP-smart-lock-0001",
      serialId: "0",
      cmds: [{ name: "UNLOCK", value: "0" }],
    });
    expect(control).toMatchObject({
      code: 0,
      result: expect.arrayContaining([{ serialId: "0", name: "LOCK", value: "0" }]),
    });
    expect(await c.call("C26", { deviceSN: "TP-none-0001" })).toMatchObject({ code: 1003 });
    tp.child.kill("SIGTERM");
    expect(await tp.exited).toBe(0);
    expect(tp.stderr.join("")).not.toContain(CLOUD_KEY);
  });

  it("--wrong-codes is on from the start: an unknown device is answered 0", async () => {
    const dir = tempDir();
    const tp = startHilfarm([...base, "--tls-dir", dir, "--devices", "smart-lock:1", "--wrong-codes"]);
    const ready = await tp.until("ready");
    expect(await client(String(ready.url), dir).call("C26", { deviceSN: "TP-none-0001" })).toMatchObject({
      code: 0,
    });
  });

  it("--bind-all reports every device to the smart-home platform at --smart-home-url, where it shows with via", async () => {
    const dir = tempDir();
    const platform = startHilfarm([
      "platform",
      "--registry",
      "examples/registry/lab.json",
      ...FREE_PORTS,
      "--no-mqtt",
      "--interop-platform-id",
      PLATFORM_ID,
      "--interop-platform-key",
      PLATFORM_KEY,
      "--tls-dir",
      dir,
    ]);
    const ready = await platform.until("ready");
    const https = (ready.surfaces as Record<string, { https: string }>)["c-notify"]?.https ?? "";
    const tp = startHilfarm([
      ...base,
      "--tls-dir",
      dir,
      "--devices",
      "air-conditioner:1",
      "--smart-home-url",
      https,
      "--platform-id",
      PLATFORM_ID,
      "--platform-key",
      PLATFORM_KEY,
      "--bind-all",
      "--log-level",
      "debug",
    ]);
    await tp.until("ready");
    await logged(tp, '"interface":"C16"');
    const devices = (await (await fetch(`${ready.http}/api/devices`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(devices).toContainEqual(
      expect.objectContaining({ deviceId: "TP-air-conditioner-0001", model: "CT-AC-01", via: "third-party" }),
    );
    expect(tp.stderr.join("")).not.toContain(PLATFORM_KEY);
  });

  it("a sub-device without a gateway before it, or no TLS, is a usage error (exit 2) naming the option", async () => {
    const sub = await runHilfarm([...base, "--tls-dir", tempDir(), "--devices", "zigbee-switch:1"]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("--devices");
    const noTls = await runHilfarm([...base, "--devices", "smart-lock:1"]);
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toContain("--tls-dir");
  });
});

describe("hilfarm up with a thirdParty section", () => {
  it("starts the emulated third party beside the platform on one PKI; the API binds and controls its device", async () => {
    const dir = tempDir();
    const up = startHilfarm([
      "up",
      "--fleet",
      "examples/fleet-third-party.json",
      ...FREE_PORTS,
      "--no-mqtt",
      "--tls-dir",
      dir,
    ]);
    const ready = await up.until("ready");
    const thirdParty = ready.thirdParty as { url: string; pki: string; devices: Array<{ deviceSN: string }> };
    expect(thirdParty).toMatchObject({
      url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      pki: dir,
    });
    expect(thirdParty.devices.map((d) => d.deviceSN)).toContain("TP-smart-lock-0001");
    expect(Object.keys(ready.surfaces as object)).toEqual(expect.arrayContaining(["c-notify", "c-interop"]));
    const api = (path: string, method = "GET", body?: unknown) =>
      fetch(`${ready.http}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
    const bound = await api("/api/third-party/devices", "POST", { deviceSN: "TP-smart-lock-0001" });
    expect(await bound.json()).toMatchObject({
      deviceSN: "TP-smart-lock-0001",
      deviceType: "LOCK-01",
      via: "third-party",
    });
    const devices = (await (await api("/api/devices")).json()) as Array<Record<string, unknown>>;
    expect(devices).toContainEqual(
      expect.objectContaining({ deviceId: "TP-smart-lock-0001", via: "third-party" }),
    );
    const control = await api("/api/devices/TP-smart-lock-0001/control", "POST", {
      serialId: "0",
      cmd: [{ cmdName: "UNLOCK", cmdParam: "0" }],
    });
    expect(control.status).toBe(200);
    up.child.kill("SIGINT");
    expect(await up.exited).toBe(0);
  });
});
