import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { linkTopics } from "../harness/link/mqtt-link.ts";
import { formatEnvelope } from "../harness/protocol/cts/envelope.ts";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

describe("hilfarm platform --http-host and --api-token", () => {
  const logFile = async () => join(await mkdtemp(join(tmpdir(), "hilfarm-api-")), "platform.log");

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("exits 2 with one line naming both options when the API would listen beyond loopback without a token", async () => {
    vi.stubEnv("HILFARM_API_TOKEN", undefined);
    const { io, stderr } = bufferIo();
    const argv = [
      "platform",
      "--registry",
      "examples/registry/lab.json",
      ...FREE_PORTS,
      "--no-mqtt",
      "--http-host",
      "0.0.0.0",
    ];
    const code = await main([...argv, "--log-file", await logFile()], io, () => new Promise(() => undefined));
    expect(code).toBe(2);
    expect(stderr()).toMatch(/^hilfarm: [^\n]*--http-host[^\n]*--api-token[^\n]*\n$/);
  });

  it("takes the token from HILFARM_API_TOKEN: the ready line says bearer, the API needs it, the log never shows it", async () => {
    vi.stubEnv("HILFARM_API_TOKEN", "env-token-123");
    const { io, nextLine } = bufferIo();
    const log = await logFile();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const run = main(
      ["platform", "--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt", "--log-file", log],
      io,
      () => stopped,
    );
    const ready = await nextLine();
    expect(ready).toMatchObject({
      event: "ready",
      apiAuth: "bearer",
      http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
    });
    // --no-mqtt: the fan-out is a surface with no address.
    expect(ready.surfaces).toEqual({
      fanout: {},
      "mc-connection": { tcp: ready.tcp, udp: ready.udp },
      api: { http: ready.http, metrics: `${ready.http}/metrics`, firmware: `${ready.http}/firmware/` },
      "mc-login": { login: ready.login },
    });
    const http = String(ready.http);
    expect((await fetch(`${http}/api/devices`)).status).toBe(401);
    const ok = await fetch(`${http}/api/devices`, { headers: { authorization: "Bearer env-token-123" } });
    expect(ok.status).toBe(200);
    const metrics = await fetch(`${http}/metrics`, { headers: { authorization: "Bearer env-token-123" } });
    // The platform's own delay, which a load run on the same machine reads beside its round trips.
    expect(await metrics.text()).toMatch(/^hilfarm_platform_own_delay_ms_bucket\{le="1"\} \d+$/m);
    stop("SIGTERM");
    expect(await run).toBe(0);
    const text = await readFile(log, "utf8");
    expect(text).toMatch(/"apiAuth":"bearer"/);
    expect(text).not.toContain("env-token-123");
  });
});

describe("hilfarm platform --device-link-mqtt", () => {
  it("bridges only the devices of its registry: ids made up on the broker's link topics open nothing", async () => {
    vi.stubEnv("HILFARM_API_TOKEN", undefined);
    const { io, nextLine } = bufferIo();
    const log = join(await mkdtemp(join(tmpdir(), "hilfarm-link-")), "platform.log");
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const run = main(
      [
        ...["platform", "--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt"],
        ...["--device-link-mqtt", "embedded", "--log-file", log],
      ],
      io,
      () => stopped,
    );
    const ready = await nextLine();
    const broker = String((ready.deviceLinks as string[])[0]).split(" ")[0] ?? "";
    const publisher = await mqtt.connectAsync(broker);
    try {
      const login = (deviceId: string) => formatEnvelope({ code: 1002, deviceId, data: "AAAA" });
      for (let i = 0; i < 200; i++)
        await publisher.publishAsync(linkTopics(`made-up-${i}`).up, login(`made-up-${i}`));
      // A registered device's 1002 (not sealed with its PIN: the login server refuses it, and counts it).
      await publisher.publishAsync(
        linkTopics("0000111122223333aaaabbbb").up,
        login("0000111122223333aaaabbbb"),
      );
      const outcomes = async () => {
        const text = await (await fetch(`${String(ready.http)}/metrics`)).text();
        return [...text.matchAll(/^hilfarm_platform_logins_total\{outcome="(\w+)"\} (\d+)$/gm)].map(
          ([, outcome, count]) => `${outcome} ${count}`,
        );
      };
      await vi.waitFor(async () => expect(await outcomes()).toContain("wrong_pin 1"), {
        timeout: 10_000,
        interval: 50,
      });
      expect((await outcomes()).filter((line) => !line.endsWith(" 0"))).toEqual(["wrong_pin 1"]);
    } finally {
      await publisher.endAsync(true);
      stop("SIGTERM");
    }
    expect(await run).toBe(0);
    // Said once, not once per made-up id: a user whose device's id is missing from the registry learns why.
    const warnings = (await readFile(log, "utf8"))
      .split("\n")
      .filter((line) => line.includes("not in the registry"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"deviceId":"made-up-0"');
  });
});
