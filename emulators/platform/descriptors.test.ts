import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { repoRoot } from "../../harness/testing/child-process.ts";
import { LinkClosed, ScriptedDevice } from "../device/scripted-device.ts";
import { ConnectionAdmission } from "./admission.ts";
import { RateLimitedWarning } from "./guard.ts";
import { defaultLimits } from "./limits.ts";
import { PlatformMetrics } from "./metrics.ts";

/**
 * A platform that runs out of file descriptors (caps set above its `ulimit -n` on purpose) must not stop: Node
 * reports a failed accept as an 'error' event on the server, which ends a process that does not listen for it.
 * The caps' defaults keep below the limit; this is what happens when someone sets them above it.
 */
const children: Array<{ kill(): void }> = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of children.splice(0)) c.kill();
});

const DEVICE = { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" };

/**
 * Logs the device in once the platform has descriptors again. This side sees its flood's sockets closed as soon as it
 * destroys them; the platform frees its ends only as it reads their closes, and until then libuv closes a new
 * connection unanswered (it accepts it on a spare descriptor): a login may be closed so, and is tried again, for 10 s
 * of real time at most.
 */
async function loginOnceFree(address: string): Promise<ScriptedDevice> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 1; ; attempt++) {
    const device = new ScriptedDevice(DEVICE.deviceId, DEVICE.pin);
    try {
      await device.login(address);
      return device;
    } catch (error) {
      device.close();
      if (!(error instanceof LinkClosed)) throw error;
      if (Date.now() > deadline)
        throw new Error(`the platform still closed logins unanswered after ${attempt} attempts in 10 s`, {
          cause: error,
        });
    }
  }
}

describe("a platform out of descriptors", () => {
  it("survives a flood past its descriptors (caps set above them), and takes logins once they are free", async () => {
    const child = spawn(
      "bash",
      [
        "-c",
        `ulimit -n 200 && exec "${process.execPath}" bin/hilfarm.mjs platform --registry examples/registry/lab.json ` +
          "--login-port 0 --tcp-port 0 --udp-port 0 --http-port 0 --no-mqtt --log-level error " +
          "--max-connections 5000 --max-pending-connections 5000 --max-pending-per-address 5000",
      ],
      { cwd: repoRoot },
    );
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const [line] = await Promise.race([
      createInterface({ input: child.stdout })
        [Symbol.asyncIterator]()
        .next()
        .then((r) => [r.value as string]),
      exited.then((code) => {
        throw new Error(`the platform exited (${code}) before it was ready`);
      }),
    ]);
    const ready = JSON.parse(line as string) as { login: string; http: string };
    const [host, port] = [
      ready.login.slice(0, ready.login.lastIndexOf(":")),
      Number(ready.login.split(":").pop()),
    ];

    // libuv absorbs most failed accepts itself (it closes the waiting connections with a descriptor it keeps in
    // reserve); what it cannot absorb reaches the server as an 'error' event, which the platform counts.
    let closed = 0;
    const someClosed = new Promise<void>((resolve) => {
      for (let i = 0; i < 300; i++) {
        const socket = connect({ host, port });
        socket.on("error", () => undefined);
        socket.on("close", () => {
          if (++closed === 1) resolve();
        });
        sockets.push(socket);
      }
    });
    await Promise.race([
      someClosed,
      exited.then((code) => {
        throw new Error(`the platform exited (${code}) under the flood`);
      }),
    ]);
    const allClosed = new Promise<void>((resolve) => {
      for (const s of sockets)
        s.on("close", () => {
          if (closed === sockets.length) resolve();
        });
    });
    for (const s of sockets) s.destroy();
    await allClosed;

    const device = await loginOnceFree(ready.login);
    await device.connect("tcp");
    expect((await fetch(`${ready.http}/api/devices`)).status).toBe(200);
    device.close();
    expect(child.exitCode).toBeNull();
  });
});

describe("ConnectionAdmission", () => {
  it("counts and warns about an accept that failed for lack of descriptors, instead of throwing", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const metrics = new PlatformMetrics();
    const admission = new ConnectionAdmission(
      defaultLimits(),
      metrics,
      new RateLimitedWarning(logger, new VirtualClock()),
    );
    const onError = admission.acceptFailed("login");
    for (let i = 0; i < 3; i++) onError(Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
    const refused = (await metrics.connectionsRefused.get()).values;
    expect(refused).toEqual([expect.objectContaining({ labels: { reason: "accept_failed" }, value: 3 })]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("no file descriptor left");
  });

  it("reads the open connections when the registry is read: pending until established, then session, then gone", async () => {
    const metrics = new PlatformMetrics();
    const admission = new ConnectionAdmission(
      defaultLimits(),
      metrics,
      new RateLimitedWarning(pino({ level: "silent" }), new VirtualClock()),
    );
    const open = async () =>
      Object.fromEntries(
        (await metrics.connectionsOpen.get()).values.map((v) => [String(v.labels.state), v.value]),
      );
    const sockets = [new EventEmitter(), new EventEmitter()].map((socket) =>
      Object.assign(socket, { remoteAddress: "127.0.0.1", destroy: () => undefined }),
    );
    const admitted = sockets.map((socket) => admission.admit(socket as unknown as Socket));
    expect(await open()).toEqual({ pending: 2, session: 0 });
    admitted[0]?.established();
    admitted[0]?.established();
    expect(await open()).toEqual({ pending: 1, session: 1 });
    sockets[0]?.emit("close");
    sockets[1]?.emit("close");
    expect(await open()).toEqual({ pending: 0, session: 0 });
    expect(await metrics.text()).toMatch(/^hilfarm_platform_connections_open\{state="session"\} 0$/m);
  });
});
