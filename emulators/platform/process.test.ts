import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FREE_PORTS, killAll, startNode } from "../../harness/testing/child-process.ts";

/**
 * The platform as a process (`hilfarm platform`), and a device written from the spec alone
 * (examples/clients/ct-device.mjs, no hilfarm code) as another: what a lab runs.
 */
const PLUG = { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" };
const start = startNode;

afterEach(killAll);

describe("hilfarm platform, with a device written from the spec", () => {
  it("prints the ready line, serves a TCP and a UDP device, executes a control from the API, stops on SIGTERM", async () => {
    const platform = start([
      "bin/hilfarm.mjs",
      "platform",
      "--registry",
      "examples/registry/lab.csv",
      ...FREE_PORTS,
      // Real time: a 1 s heartbeat lets the device show its heartbeat without a long wait.
      "--heartbeat",
      "1",
    ]);
    const ready = await platform.next();
    expect(Object.keys(ready)).toEqual([
      "event",
      "login",
      "tcp",
      "udp",
      "http",
      "mqtt",
      "apiAuth",
      "surfaces",
    ]);
    expect(ready).toMatchObject({
      event: "ready",
      login: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      tcp: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      udp: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      mqtt: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/),
      apiAuth: "none",
    });
    // Every surface under its name, in the order they start; the top-level fields are the same addresses.
    expect(ready.surfaces).toEqual({
      fanout: { mqtt: ready.mqtt },
      "mc-connection": { tcp: ready.tcp, udp: ready.udp },
      api: { http: ready.http, metrics: `${ready.http}/metrics`, firmware: `${ready.http}/firmware/` },
      "mc-login": { login: ready.login },
    });
    expect(Object.keys(ready.surfaces as object)).toEqual(["fanout", "mc-connection", "api", "mc-login"]);
    const http = ready.http as string;

    for (const transport of ["tcp", "udp"]) {
      const device = start([
        "examples/clients/ct-device.mjs",
        "--login",
        ready.login as string,
        "--device-id",
        PLUG.deviceId,
        "--pin",
        PLUG.pin,
        "--transport",
        transport,
      ]);
      expect(await device.next()).toMatchObject({ event: "logged-in" });
      expect(await device.next()).toMatchObject({ event: "online", transport, heartBeat: 1 });
      expect(await device.until("heartbeat")).toMatchObject({ result: 0 });
      const response = await fetch(`${http}/api/devices/${PLUG.deviceId}/control`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          serialId: "0",
          cmd: [{ cmdName: "SET_POWER", cmdParam: transport === "tcp" ? "1" : "0" }],
        }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        result: 0,
        dscp: "ok",
        state: { "0": { POWER: transport === "tcp" ? "1" : "0" } },
      });
      expect(await device.until("control")).toMatchObject({ cmd: [{ cmdName: "SET_POWER" }] });
      const shown = (await (await fetch(`${http}/api/devices/${PLUG.deviceId}`)).json()) as Record<
        string,
        unknown
      >;
      expect(shown).toMatchObject({ online: true, transport });
      device.child.kill("SIGTERM");
      await device.exited;
    }

    platform.child.kill("SIGTERM");
    expect(await platform.exited).toBe(0);
    expect(platform.stderr.join("")).toMatch(/"msg":"stopping"/);
  });

  it("refuses a bad registry with file, line and field, and exit code 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-registry-"));
    const file = join(dir, "bad.csv");
    await writeFile(
      file,
      `deviceId,pin,bindKey,model,parentId\n${PLUG.deviceId},${PLUG.pin},,CT-PLUG-01,\nabc,short,,,\n`,
    );
    const platform = start(["bin/hilfarm.mjs", "platform", "--registry", file]);
    expect(await platform.exited).toBe(2);
    const stderr = platform.stderr.join("");
    expect(stderr).toMatch(/^hilfarm: registry refused/);
    expect(stderr).toMatch(/bad\.csv:3: pin: /);
    expect(stderr).not.toContain("short");
  });
});
