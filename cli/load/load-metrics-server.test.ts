import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LatencyHistograms } from "../../emulators/farm/latency-histograms.ts";
import type { FarmState } from "./coordinator.ts";
import { LOAD_METRICS_MAX_CONNECTIONS, LoadMetricsServer } from "./load-metrics-server.ts";

let server: LoadMetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function stateWith(online: number, heartbeatsMs: number[]): FarmState {
  const latencies = new LatencyHistograms();
  for (const ms of heartbeatsMs) latencies.record("heartbeat", ms);
  return {
    runId: "r1",
    elapsedSeconds: 3,
    devices: 10,
    online,
    poweredOn: 10,
    liveWorkers: 1,
    lostWorkers: 0,
    latencies,
    steadyLatencies: new LatencyHistograms(),
    steadyFrom: undefined,
    errors: { "login-timeout": 2 },
    framesOut: 7,
    framesIn: 5,
  };
}

const line = (text: string, name: string) =>
  text
    .split("\n")
    .find((l) => l.startsWith(name))
    ?.slice(name.length)
    .trim();

describe("LoadMetricsServer", () => {
  it("serves the figures of the last state it was given, as of the scrape", async () => {
    server = new LoadMetricsServer();
    const url = await server.listen("127.0.0.1", 0);
    server.update(stateWith(4, [1, 2, 3]));
    server.update(stateWith(6, [1, 2, 3, 4, 40]));
    const text = await (await fetch(url)).text();
    expect(line(text, "hilfarm_load_devices_online")).toBe("6");
    expect(line(text, 'hilfarm_load_round_trips{kind="heartbeat"}')).toBe("5");
    expect(Number(line(text, 'hilfarm_load_latency_ms{kind="heartbeat",quantile="0.99"}'))).toBeCloseTo(
      40,
      0,
    );
    expect(line(text, 'hilfarm_load_errors{kind="login-timeout"}')).toBe("2");
    expect(line(text, 'hilfarm_load_frames{direction="out"}')).toBe("7");
    server.update(stateWith(9, [1]));
    const later = await (await fetch(url)).text();
    expect(line(later, "hilfarm_load_devices_online")).toBe("9");
    expect(line(later, 'hilfarm_load_round_trips{kind="heartbeat"}')).toBe("1");
  });

  it("holds at most its cap of connections: sockets that never send a request are closed past it", async () => {
    server = new LoadMetricsServer();
    const url = new URL(await server.listen("127.0.0.1", 0));
    const sockets: Socket[] = [];
    const closed: Array<Promise<unknown>> = [];
    for (let i = 0; i < LOAD_METRICS_MAX_CONNECTIONS + 10; i++) {
      const socket = connect(Number(url.port), "127.0.0.1");
      sockets.push(socket);
      socket.on("error", () => undefined);
      await once(socket, "connect");
      closed.push(once(socket, "close"));
    }
    // The ten past the cap are closed by the server at once; the rest stay open until their headers' deadline.
    const first = await Promise.race(closed.map((c, i) => c.then(() => i)));
    expect(first).toBeGreaterThanOrEqual(LOAD_METRICS_MAX_CONNECTIONS);
    for (const socket of sockets.slice(0, LOAD_METRICS_MAX_CONNECTIONS)) socket.destroy();
    await Promise.all(closed);
    expect((await fetch(url)).status).toBe(200);
  });
});
