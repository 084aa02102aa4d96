import { afterEach, describe, expect, it } from "vitest";
import { FREE_PORTS, killAll, startHilfarm, startNode } from "../../harness/testing/child-process.ts";

/**
 * The independent peer of the lock API (examples/clients/lock-api-app.mjs: its own signing, ticket-key decryption and
 * password encryption, written from the seed alone) against `hilfarm up`, both as processes on real time: a
 * temporary password reaches the Wi-Fi lock and the Zigbee lock. Real time: in `npm run test:system`.
 */

const CLIENT_ID = "hilfarmpeerclient01";
const SECRET = "p33rL0ckApiSecret0123456789abcde";

afterEach(killAll);

describe("examples/clients/lock-api-app.mjs against hilfarm up", () => {
  it("gets a token and a ticket, and its password reaches a Wi-Fi and a Zigbee lock", async () => {
    const up = startHilfarm(
      [
        "up",
        "--fleet",
        "examples/fleet.json",
        "--no-lan",
        "--no-mqtt",
        ...FREE_PORTS,
        "--lock-api-client-id",
        CLIENT_ID,
      ],
      { HILFARM_LOCK_API_SECRET: SECRET },
    );
    const ready = await up.next();
    await up.until("summary");
    const lockApi = (ready.surfaces as Record<string, { http: string }>)["lock-api"]?.http ?? "";
    const devices = (await (await fetch(`${String(ready.http)}/api/devices`)).json()) as Array<{
      deviceId: string;
      model: string;
    }>;
    const byModel = (model: string) => devices.find((d) => d.model === model)?.deviceId ?? "";
    for (const [device, digits] of [
      [byModel("LOCK-01"), "7654321"],
      [byModel("ZB-LOCK-01"), "765432"],
    ] as const) {
      const peer = startNode(
        [
          "examples/clients/lock-api-app.mjs",
          "--url",
          lockApi,
          "--client-id",
          CLIENT_ID,
          "--device",
          device,
          "--digits",
          digits,
        ],
        { HILFARM_LOCK_API_SECRET: SECRET },
      );
      const lines: Array<Record<string, unknown>> = [];
      for (;;) {
        const line = await peer.next().catch(() => undefined);
        if (line === undefined) break;
        lines.push(line);
        if (line.event === "done" || line.event === "failed") break;
      }
      expect(await peer.exited, `${device}: ${JSON.stringify(lines)} ${peer.stderr.join("")}`).toBe(0);
      expect(lines.map((l) => l.event)).toEqual([
        "token",
        "ticket",
        "created",
        "delivery",
        "device",
        "offline",
        "done",
      ]);
      expect(lines.find((l) => l.event === "delivery")).toMatchObject({ deliveryStatus: 2 });
    }
  });
});
