import { type AddressInfo, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FREE_PORTS, killAll, runHilfarm, startHilfarm } from "../../harness/testing/child-process.ts";

afterEach(killAll);

interface DeviceSummary {
  deviceId: string;
  model: string;
}

async function addPassword(http: string, deviceId: string, code: string): Promise<void> {
  const response = await fetch(`${http}/api/devices/${deviceId}/resources`, {
    method: "POST",
    body: JSON.stringify({
      resourceSerials: [
        {
          serialId: "0",
          resourceSerial: [
            {
              resourceName: "KEY_LIST",
              resourceInfo: [{ MODE: "1", KEY_ID: "9", KEY_TYPE: "2", KEY_NAME: "lab", KEY_CODE: code }],
            },
          ],
        },
      ],
    }),
  });
  expect(await response.json()).toEqual({ result: 0 });
}

describe("hilfarm lock type (a code at an emulated lock's keypad, through hilfarm up's API)", () => {
  it("opens a Wi-Fi lock and a Zigbee lock with their passwords, refuses a wrong code, and the platform logs the opening", async () => {
    const up = startHilfarm(["up", "--fleet", "examples/fleet.json", "--no-lan", "--no-mqtt", ...FREE_PORTS]);
    const ready = await up.next();
    expect(await up.next()).toMatchObject({ event: "summary", online: 11 });
    const http = String(ready.http);
    const devices = (await (await fetch(`${http}/api/devices`)).json()) as DeviceSummary[];
    const wifi = devices.find((d) => d.model === "LOCK-01")?.deviceId ?? "";
    const zigbee = devices.find((d) => d.model === "ZB-LOCK-01")?.deviceId ?? "";
    await addPassword(http, wifi, "1234567");
    await addPassword(http, zigbee, "654321");

    const opened = await runHilfarm(["lock", "type", "--api", http, "--device", wifi, "--code", "1234567"]);
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({
      event: "typed",
      deviceId: wifi,
      kind: "open",
      keyId: "9",
    });
    const zigbeeOpened = await runHilfarm([
      "lock",
      "type",
      "--api",
      http,
      "--device",
      zigbee,
      "--code",
      "654321",
    ]);
    expect(JSON.parse(zigbeeOpened.stdout)).toMatchObject({ kind: "open", keyId: "9" });

    const wrong = await runHilfarm(["lock", "type", "--api", http, "--device", wifi, "--code", "7654321"]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ kind: "refused", reason: "unknown", wrongInARow: 1 });

    const events = (await (await fetch(`${http}/api/devices/${wifi}/events?kind=event`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(events.find((e) => e.eventName === "LOCK_OPEN")?.eventInfo).toMatchObject([
      { TYPE: "PASSWORD", KEY_ID: "9" },
    ]);

    const unknown = await runHilfarm(["lock", "type", "--api", http, "--device", "nope", "--code", "1"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/UNKNOWN_DEVICE: no device "nope" in the fleet/);
  });

  it("says so in one line when the API cannot be reached", async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const api = `http://127.0.0.1:${port}`;
    const run = await runHilfarm(["lock", "type", "--api", api, "--device", "x", "--code", "1"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`hilfarm lock: cannot reach the API at ${api}: ECONNREFUSED\n`);
  });
});
