import { afterEach, describe, expect, it } from "vitest";
import {
  FREE_PORTS,
  killAll,
  runHilfarm,
  startHilfarm,
  startNode,
} from "../harness/testing/child-process.ts";

afterEach(() => killAll());

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** `hilfarm up` on free ports; its ready line, the air conditioner's LAN addresses and the API. */
async function upWithLan() {
  const up = startHilfarm(["up", "--fleet", "examples/fleet.json", ...FREE_PORTS, "--no-mqtt"]);
  const ready = await up.until("ready");
  const http = String(ready.http);
  const lan = ready.lan as Record<string, { discovery: string; control: string }>;
  const devices = (await (await fetch(`${http}/api/devices`)).json()) as Array<{
    deviceId: string;
    model: string;
  }>;
  const ac = devices.find((d) => d.model === "CT-AC-01");
  if (ac === undefined) throw new Error("no air conditioner in the example fleet");
  const addresses = lan[ac.deviceId];
  if (addresses === undefined) throw new Error(`no LAN side for ${ac.deviceId} in ${JSON.stringify(ready)}`);
  // The summary comes once every device is online over Mc.
  expect(await up.until("summary")).toMatchObject({ online: 11 });
  return { up, http, deviceId: ac.deviceId, ...addresses };
}

describe("hilfarm lan against the devices of hilfarm up, from other processes", () => {
  it("discovers the device, gets a lanKey from the platform, controls it, and the platform's API shows the change", async () => {
    const { http, deviceId, discovery, control } = await upWithLan();
    const found = await runHilfarm(["lan", "discover", "--target", discovery, "--model", "CT-AC-01"]);
    expect(found.code).toBe(0);
    expect(jsonLines(found.stdout)).toEqual([
      expect.objectContaining({ event: "found", deviceId, model: "CT-AC-01", protocol: 0, lanControl: 1 }),
    ]);
    const other = await runHilfarm(["lan", "discover", "--target", discovery, "--model", "CT-SW3-01"]);
    expect(other.code).toBe(1);
    expect(other.stdout).toBe("");

    const session = ["--device", deviceId, "--address", control, "--platform-api", http];
    const set = await runHilfarm(["lan", "control", ...session, "--set", "3=26"]);
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(jsonLines(set.stdout)).toEqual([
      { event: "auth", deviceId, code: 0 },
      expect.objectContaining({ event: "post", deviceId, as: { "3": 26 } }),
    ]);
    const query = await runHilfarm(["lan", "query", ...session]);
    expect(jsonLines(query.stdout)[1]).toMatchObject({ event: "state", code: 0, as: { "3": 26 } });

    // Mc and Md share one state: the change made over the LAN reached the platform.
    const state = (await (await fetch(`${http}/api/devices/${deviceId}`)).json()) as {
      status: Record<string, Record<string, string>>;
    };
    expect(state.status["0"]?.TEMP).toBe("26");
  }, 60_000);

  it("a LAN client written from the spec alone does the same: discover, lanKey from the platform, auth, query, control, post", async () => {
    const { http, deviceId, discovery, control } = await upWithLan();
    const peer = startNode(["examples/clients/md-app.mjs", "discover", "--target", discovery]);
    const found = await peer.next();
    expect(found).toMatchObject({ event: "found", deviceId, model: "CT-AC-01", protocol: 0, lanControl: 1 });
    // 6.2.1: a bindKey only while waiting to be added.
    expect(found.onConfig === 1 ? found.bindKey !== "0" : found.bindKey === "0").toBe(true);
    expect(await peer.exited).toBe(0);

    const app = startNode([
      "examples/clients/md-app.mjs",
      "control",
      "--device",
      deviceId,
      "--address",
      control,
      "--api",
      http,
      "--query",
      "--set",
      "1=1",
    ]);
    expect(await app.until("auth")).toMatchObject({ code: 0 });
    expect(await app.until("state")).toMatchObject({
      as: expect.objectContaining({ "1": expect.any(Number) }),
    });
    expect(await app.until("post")).toMatchObject({ as: { "1": 1 } });
    expect(await app.exited).toBe(0);
    const state = (await (await fetch(`${http}/api/devices/${deviceId}`)).json()) as {
      status: Record<string, Record<string, string>>;
    };
    expect(state.status["0"]?.POWER).toBe("1");
  }, 60_000);

  it("says in one line, exit code 1, that a device cannot be reached", async () => {
    const args = ["--device", "D", "--address", "127.0.0.1:1", "--pin", "0123456789abcdefghijklmnopqrstuv"];
    const run = await runHilfarm(["lan", "query", ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("hilfarm lan: cannot reach the LAN control port 127.0.0.1:1: ECONNREFUSED\n");
  });

  it("refuses a usage error with exit code 2 and one line", async () => {
    const run = await runHilfarm([
      "lan",
      "control",
      "--device",
      "D",
      "--address",
      "127.0.0.1:1",
      "--set",
      "x=1",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hilfarm: .*--set takes <attribute number>=<value>.*\n/);
  });
});
