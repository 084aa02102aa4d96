import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openApiHeaders } from "../harness/protocol/aqara/open-api-auth.ts";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const base = ["platform", "--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt"];
const app = ["--aqara-app-id", "lab-app", "--aqara-key-id", "k1"];
const never = () => new Promise<string>(() => undefined);

describe("hilfarm platform --aqara-* (the Aqara-style open API)", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("lists aqara in the ready line; sdkInit answers with the flags' values; no key or token in the log", async () => {
    const appKey = "aqara-signing-key-0123456789abcd";
    vi.stubEnv("HILFARM_AQARA_APP_KEY", appKey);
    vi.stubEnv("HILFARM_AQARA_SDK_APP_KEY", "sdk-app-key-for-the-app");
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-aqara-"));
    dirs.push(dir);
    const log = join(dir, "platform.log");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const run = main(
      [...base, ...app, "--aqara-expires-in", "120", "--log-file", log, "--log-level", "debug"],
      io,
      () => stopped,
    );
    const ready = await nextLine();
    const surface = (ready.surfaces as Record<string, { http: string; api: string }>).aqara;
    expect(surface?.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(surface?.api).toBe(`${surface?.http}/v3.0/open/api`);
    // The CLI runs on real time: `Time` is the wall clock's.
    const headers = openApiHeaders(
      { appid: "lab-app", keyid: "k1", nonce: "cli-1", time: String(Date.now()) },
      appKey,
    );
    const answer = await fetch(surface?.api ?? "", {
      method: "POST",
      headers,
      body: JSON.stringify({ intent: "query.appsdk.initparams", data: {} }),
    });
    const envelope = (await answer.json()) as { code: number; result: Record<string, unknown> };
    expect(envelope).toMatchObject({
      code: 0,
      result: {
        appId: "lab-app",
        appKey: "sdk-app-key-for-the-app",
        expiresIn: 120,
        appRequestDomain: surface?.http,
      },
    });
    stop("SIGTERM");
    expect(await run).toBe(0);
    const text = await readFile(log, "utf8");
    expect(text).toContain("aqara answer");
    expect(text).not.toContain(appKey);
    expect(text).not.toContain(String(envelope.result.token));
  });

  it("hilfarm up takes the same flags: the token queries the fleet's devices", async () => {
    vi.stubEnv("HILFARM_AQARA_APP_KEY", "up-signing-key");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const up = ["up", "--fleet", "examples/fleet.json", "--no-lan", "--no-mqtt", ...FREE_PORTS];
    const run = main([...up, ...app], io, () => stopped);
    const ready = await nextLine();
    const api = (ready.surfaces as Record<string, { api: string }>).aqara?.api ?? "";
    const call = async (intent: string, nonce: string, accesstoken?: string) => {
      const signed = { appid: "lab-app", keyid: "k1", nonce, time: String(Date.now()) };
      const headers = openApiHeaders(
        accesstoken === undefined ? signed : { ...signed, accesstoken },
        "up-signing-key",
      );
      const answer = await fetch(api, {
        method: "POST",
        headers,
        body: JSON.stringify({ intent, data: {} }),
      });
      return (await answer.json()) as { code: number; result: Record<string, unknown> };
    };
    const init = await call("query.appsdk.initparams", "up-1");
    expect(init.result.expiresIn).toBe(7200);
    const devices = await call("query.device.info", "up-2", String(init.result.token));
    expect(devices).toMatchObject({ code: 0, result: { totalCount: 11 } });
    stop("SIGTERM");
    expect(await run).toBe(0);
  });

  it("takes more apps from HILFARM_AQARA_APPS: each signs with its own key; a malformed entry exits 2 naming it", async () => {
    vi.stubEnv("HILFARM_AQARA_APP_KEY", "first-signing-key");
    vi.stubEnv("HILFARM_AQARA_APPS", "second-app:k2:second-signing-key");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const run = main([...base, ...app], io, () => stopped);
    const ready = await nextLine();
    const api = (ready.surfaces as Record<string, { api: string }>).aqara?.api ?? "";
    const init = async (appid: string, keyid: string, appKey: string) => {
      const headers = openApiHeaders(
        { appid, keyid, nonce: `more-${appid}`, time: String(Date.now()) },
        appKey,
      );
      const body = JSON.stringify({ intent: "query.appsdk.initparams", data: {} });
      return (await (await fetch(api, { method: "POST", headers, body })).json()) as Record<string, unknown>;
    };
    expect(await init("second-app", "k2", "second-signing-key")).toMatchObject({
      code: 0,
      result: { appId: "second-app", userId: "hilfarm-second-app" },
    });
    expect(await init("lab-app", "k1", "first-signing-key")).toMatchObject({ code: 0 });
    // The second app's key does not sign for the first.
    expect(await init("lab-app", "k1", "second-signing-key")).toMatchObject({ code: 902 });
    stop("SIGTERM");
    expect(await run).toBe(0);

    vi.stubEnv("HILFARM_AQARA_APPS", "second-app:k2:second-signing-key,broken:k3");
    const bad = bufferIo();
    expect(await main([...base, ...app], bad.io, never)).toBe(2);
    expect(bad.stderr()).toMatch(/HILFARM_AQARA_APPS: entry 2 is not appId:keyId:appKey/);
  });

  it("exits 2 naming the flag when the key id or the app key is missing, or a number is out of range", async () => {
    vi.stubEnv("HILFARM_AQARA_APP_KEY", undefined);
    const cases: Array<[string[], RegExp]> = [
      [["--aqara-app-id", "lab-app", "--aqara-app-key", "k"], /--aqara-app-id needs --aqara-key-id/],
      [app, /--aqara-app-id needs --aqara-app-key \(or HILFARM_AQARA_APP_KEY\)/],
      [
        [...app, "--aqara-app-key", "k", "--aqara-expires-in", "0"],
        /--aqara-expires-in must be an integer in 1\.\.\d+, got "0"/,
      ],
      [
        [...app, "--aqara-app-key", "k", "--aqara-port", "70000"],
        /--aqara-port must be an integer in 0\.\.65535/,
      ],
      [
        ["--aqara-app-id", "", "--aqara-key-id", "k1", "--aqara-app-key", "k"],
        /--aqara-app-id must not be empty/,
      ],
    ];
    for (const [flags, message] of cases) {
      const out = bufferIo();
      expect(await main([...base, ...flags], out.io, never)).toBe(2);
      expect(out.stderr()).toMatch(message);
    }
  });
});
