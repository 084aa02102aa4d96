import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TuyaContext } from "@tuya/tuya-connector-nodejs";
import { afterEach, describe, expect, it } from "vitest";
import { decryptTicketKey, encryptPassword } from "../../harness/protocol/lock-api/password-crypto.ts";
import { FREE_PORTS, killAll, runHilfarm, startHilfarm } from "../../harness/testing/child-process.ts";

/**
 * The lock API's done-means, on real time: the vendor's Node SDK, unchanged, pointed at `hilfarm up`'s lock API,
 * creates temporary passwords through tickets on a Wi-Fi lock and a Zigbee lock, sees them delivered, sees failure
 * within 25 s on a Zigbee lock whose gateway gets no answer from it, and after the password is typed at the lock
 * (`hilfarm lock type`) reads the opening in the open logs.
 */

const CLIENT_ID = "hilfarmlabclient0001";
const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const dirs: string[] = [];
afterEach(async () => {
  killAll();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Envelope<T> {
  success: boolean;
  result: T;
  code?: number;
  msg?: string;
}

describe("the lock API of hilfarm up, through the vendor's Node SDK", () => {
  it("delivers passwords to a Wi-Fi and a Zigbee lock, fails within 25 s on a silent one, and logs the opening", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-lock-up-"));
    dirs.push(dir);
    const fleet = join(dir, "fleet.json");
    await writeFile(
      fleet,
      JSON.stringify({
        seed: 3,
        devices: [{ profile: "smart-lock", count: 1 }],
        gateways: [
          { profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-lock", count: 1 }] },
          {
            profile: "zigbee-gateway",
            count: 1,
            subDevices: [{ profile: "zigbee-lock", count: 1 }],
            misbehaviour: { subDeviceSilentTries: 4 },
          },
        ],
      }),
    );
    const up = startHilfarm([
      "up",
      "--fleet",
      fleet,
      "--no-lan",
      "--no-mqtt",
      ...FREE_PORTS,
      "--lock-api-client-id",
      CLIENT_ID,
      "--lock-api-secret",
      SECRET,
    ]);
    const ready = await up.next();
    expect(await up.next()).toMatchObject({ event: "summary", devices: 5, online: 5 });
    const http = String(ready.http);
    const lockApi = (ready.surfaces as Record<string, { http: string }>)["lock-api"]?.http ?? "";
    expect(lockApi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const devices = (await (await fetch(`${http}/api/devices`)).json()) as Array<{
      deviceId: string;
      model: string;
      parentId: string | null;
    }>;
    const wifi = devices.find((d) => d.model === "LOCK-01")?.deviceId ?? "";
    const [zigbee = "", silentZigbee = ""] = devices
      .filter((d) => d.model === "ZB-LOCK-01")
      .map((d) => d.deviceId);

    const sdk = new TuyaContext({ baseUrl: lockApi, accessKey: CLIENT_ID, secretKey: SECRET });
    const create = async (deviceId: string, digits: string) => {
      const ticket = (await sdk.request({
        method: "POST",
        path: `/v1.0/devices/${deviceId}/door-lock/password-ticket`,
      })) as Envelope<{ ticket_id: string; ticket_key: string }>;
      const key = decryptTicketKey(ticket.result.ticket_key, SECRET);
      if (!key.ok) throw key.error;
      const nowS = Math.floor(Date.now() / 1000);
      const created = (await sdk.request({
        method: "POST",
        path: `/v1.0/devices/${deviceId}/door-lock/temp-password`,
        body: {
          name: "lab",
          password: encryptPassword(digits, key.value),
          password_type: "ticket",
          ticket_id: ticket.result.ticket_id,
          effective_time: nowS - 60,
          invalid_time: nowS + 3600,
          type: 0,
        },
      })) as Envelope<{ id: number }>;
      expect(created).toMatchObject({ success: true });
      return created.result.id;
    };
    /** The caller's poll (seed: until success or failure, at most 25 s), timed. */
    const poll = async (deviceId: string, id: number) => {
      const start = Date.now();
      for (;;) {
        const got = (await sdk.request({
          method: "GET",
          path: `/v1.0/devices/${deviceId}/door-lock/temp-password/${id}`,
        })) as Envelope<{ delivery_status: number }>;
        if (got.result.delivery_status !== 1 || Date.now() - start > 25_000)
          return { status: got.result.delivery_status, ms: Date.now() - start };
      }
    };

    const wifiPassword = await create(wifi, "2468024");
    expect((await poll(wifi, wifiPassword)).status).toBe(2);
    expect((await poll(zigbee, await create(zigbee, "135791"))).status).toBe(2);
    const silent = await poll(silentZigbee, await create(silentZigbee, "246802"));
    expect(silent.status).toBe(3);
    expect(silent.ms).toBeLessThan(25_000);

    const typed = await runHilfarm(["lock", "type", "--api", http, "--device", wifi, "--code", "2468024"]);
    expect(typed.code).toBe(0);
    const nowS = Math.floor(Date.now() / 1000);
    const logs = (await sdk.request({
      method: "GET",
      path: `/v1.0/devices/${wifi}/door-lock/open-logs`,
      query: { page_no: 1, page_size: 10, start_time: nowS - 3600, end_time: nowS + 3600 },
    })) as Envelope<{ total: number; logs: Array<{ status: unknown }> }>;
    expect(logs).toMatchObject({ success: true, result: { total: 1 } });
    expect(logs.result.logs[0]?.status).toEqual({ code: "unlock_temporary", value: String(wifiPassword) });
  });
});
