import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { Platform } from "../platform/platform.ts";
import { startTestPlatform } from "../platform/testing/fixtures.ts";
import {
  CLOUD_ID,
  CLOUD_KEY,
  GW,
  LOCK,
  SUB,
  startThirdPartyRig,
  type ThirdPartyRig,
} from "./testing/third-party-rig.ts";

// hilfarm's reference platform with interop both ways (C11-C18 served, C21-C31 called) and the emulated third party,
// on one test PKI: the northbound API binds and controls a device that lives behind the third party.
const PLATFORM_ID = "hilfarm-smart-home";
const PLATFORM_KEY = "pl4tform-k3y";
const dirs: string[] = [];
let rig: ThirdPartyRig | undefined;
let platform: Platform | undefined;

afterEach(async () => {
  await platform?.close();
  await rig?.tp.close();
  platform = undefined;
  rig = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start() {
  const clock = new VirtualClock();
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-third-party-e2e-"));
  dirs.push(dir);
  rig = await startThirdPartyRig(dir, clock);
  platform = await startTestPlatform(clock, {
    interop: {
      platformId: PLATFORM_ID,
      platformKey: PLATFORM_KEY,
      tls: { dir },
      port: 0,
      host: "127.0.0.1",
      thirdParty: { url: rig.tp.url, cloudId: CLOUD_ID, cloudKey: CLOUD_KEY },
    },
  });
  const https = platform.addresses.surfaces["c-notify"]?.https ?? "";
  await rig.tp.setSmartHome({ url: https, platformId: PLATFORM_ID, platformKey: PLATFORM_KEY });
  const base = platform.addresses.http;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown> | Array<Record<string, unknown>>,
    };
  };
  return { tp: rig.tp, api };
}

describe("the reference platform and the emulated third party, end to end (7.2)", () => {
  it("a bind through the northbound API (C22) makes the device show with via third-party; a control (C28) changes it, and its state comes back by C16", async () => {
    const { tp, api } = await start();
    expect(await api("POST", "/api/third-party/devices", { deviceSN: LOCK })).toMatchObject({
      status: 200,
      json: { deviceSN: LOCK, deviceType: "LOCK-01", via: "third-party" },
    });
    expect(tp.device(LOCK).bound).toBe(true);
    await tp.reportsSettled();
    expect((await api("GET", "/api/devices")).json).toContainEqual(
      expect.objectContaining({ deviceId: LOCK, via: "third-party", online: true }),
    );
    const control = await api("POST", `/api/devices/${LOCK}/control`, {
      serialId: "0",
      cmd: [{ cmdName: "UNLOCK", cmdParam: "0" }],
    });
    expect(control.status).toBe(200);
    expect(tp.device(LOCK).status).toEqual({ "0": { LOCK: "0", BATTERY: "80" } });
    // A change on the device itself reaches the platform only by C16.
    tp.setStatus(LOCK, "0", "BATTERY", "42");
    await tp.reportsSettled();
    expect((await api("GET", `/api/devices/${LOCK}`)).json).toMatchObject({
      status: { "0": { LOCK: "0", BATTERY: "42" } },
    });
    expect(tp.deliveries.every((d) => d.outcome === "sent")).toBe(true);
    expect(tp.deliveries.map((d) => d.id)).toContain("C16");
  });

  it("a gateway and its sub-device bound through the API (C22, C24) show under it; an unknown device is 404", async () => {
    const { tp, api } = await start();
    expect((await api("POST", "/api/third-party/devices", { deviceSN: GW })).status).toBe(200);
    expect((await api("POST", `/api/third-party/gateways/${GW}/subdevices`, { deviceSN: SUB })).status).toBe(
      200,
    );
    await tp.reportsSettled();
    expect((await api("GET", "/api/devices")).json).toContainEqual(
      expect.objectContaining({ deviceId: SUB, parentId: GW, via: "third-party" }),
    );
    const subs = await api("GET", `/api/third-party/gateways/${GW}/subdevices`);
    expect(JSON.stringify(subs.json)).toContain(SUB);
    expect((await api("POST", "/api/third-party/devices", { deviceSN: "TP-none-0001" })).status).toBe(404);
  });
});
