import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { Platform } from "./platform.ts";
import type { PlatformOptions } from "./platform-options.ts";
import { type Surface, startSurfaces } from "./surface.ts";
import { surfacesFor } from "./surfaces.ts";
import { startTestPlatform } from "./testing/fixtures.ts";

/** A surface that records its start and close in `log`, and fails to start or close when told. */
function recorded(
  name: string,
  log: string[],
  fail: { start?: boolean; close?: boolean } = {},
): Surface<unknown> {
  return {
    name,
    start: async () => {
      if (fail.start) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
      return {
        addresses: { at: `${name}:1` },
        close: async () => {
          log.push(`close ${name}`);
          if (fail.close) throw new Error(`${name} cannot close`);
        },
      };
    },
  };
}

describe("startSurfaces", () => {
  it("starts the surfaces in order, gives their addresses by name, and closes them last first", async () => {
    const log: string[] = [];
    const started = await startSurfaces([recorded("a", log), recorded("b", log), recorded("c", log)], {});
    expect(started.addresses).toEqual({ a: { at: "a:1" }, b: { at: "b:1" }, c: { at: "c:1" } });
    await started.close();
    expect(log).toEqual(["start a", "start b", "start c", "close c", "close b", "close a"]);
  });

  it("closes what started, last first, when one fails to start, and throws its failure", async () => {
    const log: string[] = [];
    const surfaces = [
      recorded("a", log),
      recorded("b", log),
      recorded("c", log, { start: true }),
      recorded("d", log),
    ];
    await expect(startSurfaces(surfaces, {})).rejects.toThrow("c cannot start");
    expect(log).toEqual(["start a", "start b", "close b", "close a"]);
  });

  it("closes every surface when one fails to close, then throws that failure", async () => {
    const log: string[] = [];
    const started = await startSurfaces([recorded("a", log), recorded("b", log, { close: true })], {});
    await expect(started.close()).rejects.toThrow("b cannot close");
    expect(log).toEqual(["start a", "start b", "close b", "close a"]);
  });

  it("refuses two surfaces of one name before starting any", async () => {
    const log: string[] = [];
    await expect(startSurfaces([recorded("a", log), recorded("a", log)], {})).rejects.toThrow(
      'two surfaces are named "a"',
    );
    expect(log).toEqual([]);
  });
});

const listening = (port = 0): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as { port: number }).port;
const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe("surfacesFor", () => {
  // Only the sections' presence chooses the surfaces; their contents are checked by each surface's own `check`.
  const names = async (sections: Record<string, unknown>) =>
    (await surfacesFor(sections as unknown as PlatformOptions)).map((s) => s.name);

  it("gives a platform without optional sections the four of chapter 5 only", async () => {
    expect(await names({})).toEqual(["fanout", "mc-connection", "api", "mc-login"]);
  });

  it("adds each optional surface after them, in its fixed order, when its section is given", async () => {
    const base = ["fanout", "mc-connection", "api", "mc-login"];
    expect(await names({ push: {}, aqara: {}, lockApi: {}, interop: { thirdParty: {} } })).toEqual([
      ...base,
      "c-notify",
      "c-interop",
      "lock-api",
      "aqara",
      "push",
    ]);
    expect(await names({ interop: {} })).toEqual([...base, "c-notify"]);
    expect(await names({ aqara: {} })).toEqual([...base, "aqara"]);
  });
});

describe("the reference platform as surfaces", () => {
  let platform: Platform | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  it("lists every surface's addresses under its name; the fixed fields are the same addresses", async () => {
    platform = await startTestPlatform(new VirtualClock(), { connectionServers: 2 });
    const { surfaces, login, tcp, udp, http, mqtt, connectionServers } = platform.addresses;
    expect(Object.keys(surfaces)).toEqual(["fanout", "mc-connection", "api", "mc-login"]);
    expect(mqtt).toBeNull();
    expect(surfaces.fanout).toEqual({});
    expect(surfaces["mc-login"]).toEqual({ login });
    expect(connectionServers).toHaveLength(2);
    expect(surfaces["mc-connection"]).toEqual({
      tcp,
      udp,
      "tcp/1": connectionServers[1]?.tcp,
      "udp/1": connectionServers[1]?.udp,
    });
    expect(surfaces.api).toEqual({ http, metrics: `${http}/metrics`, firmware: `${http}/firmware/` });
  });

  it("closes the surfaces already started when a later one cannot listen", async () => {
    const busy = await listening();
    const spare = await listening();
    const tcpPort = portOf(spare);
    await closed(spare);
    try {
      // The login server starts last: its port in use fails the start after the connection servers listen.
      await expect(
        startTestPlatform(new VirtualClock(), { tcpPort, loginPort: portOf(busy) }),
      ).rejects.toThrow(/cannot listen on tcp 127\.0\.0\.1:\d+/);
      await closed(await listening(tcpPort));
    } finally {
      await closed(busy);
    }
  });
});
