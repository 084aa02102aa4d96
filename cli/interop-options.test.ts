import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { tlsRequest } from "../harness/tls/mutual-tls.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const KEY = "interop-key-from-env-42";
const base = ["platform", "--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt"];

describe("hilfarm platform --interop-platform-id (C11-C18 over mutual TLS)", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-interop-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("lists c-notify in the ready line with the test PKI's client certificate, which a third party then uses", async () => {
    vi.stubEnv("HILFARM_INTEROP_PLATFORM_KEY", KEY);
    const work = await tempDir();
    const pki = join(work, "pki");
    const log = join(work, "platform.log");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const argv = [...base, "--interop-platform-id", "lab-home", "--interop-port", "0", "--tls-dir", pki];
    const run = main([...argv, "--log-file", log, "--log-level", "debug"], io, () => stopped);
    const ready = await nextLine();
    const surfaces = ready.surfaces as Record<string, Record<string, string>>;
    expect(Object.keys(surfaces)).toEqual(["fanout", "mc-connection", "api", "mc-login", "c-notify"]);
    const notify = surfaces["c-notify"] ?? {};
    expect(notify).toEqual({
      https: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      pki,
      clientCert: join(pki, "client.pem"),
    });
    const client = {
      ca: await readFile(join(pki, "ca.pem"), "utf8"),
      cert: await readFile(String(notify.clientCert), "utf8"),
      key: await readFile(join(pki, "client-key.pem"), "utf8"),
    };
    const body = JSON.stringify({
      platformId: "lab-home",
      platformKey: KEY,
      sequenceNo: "202601011200000001",
    });
    const answer = await tlsRequest(`${notify.https}/notify/token`, { method: "POST", body }, client);
    const json = JSON.parse(answer.body) as Record<string, unknown>;
    expect(json).toMatchObject({ code: 0, access_token: expect.stringMatching(/^[A-Za-z0-9]{16}$/) });
    stop("SIGTERM");
    expect(await run).toBe(0);
    const text = await readFile(log, "utf8");
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(String(json.access_token));
  });

  it("exits 2 naming the option when the key or the TLS files are missing", async () => {
    vi.stubEnv("HILFARM_INTEROP_PLATFORM_KEY", undefined);
    const never = () => new Promise<string>(() => undefined);
    const noKey = bufferIo();
    const dir = await tempDir();
    const argv = [
      ...base,
      "--interop-platform-id",
      "lab-home",
      "--tls-dir",
      dir,
      "--log-file",
      join(dir, "a.log"),
    ];
    expect(await main(argv, noKey.io, never)).toBe(2);
    expect(noKey.stderr()).toMatch(/--interop-platform-key/);
    const noTls = bufferIo();
    const argv2 = [
      ...base,
      "--interop-platform-id",
      "x",
      "--interop-platform-key",
      "k",
      "--log-file",
      join(dir, "b.log"),
    ];
    expect(await main(argv2, noTls.io, never)).toBe(2);
    expect(noTls.stderr()).toMatch(/--tls-dir/);
  });

  it("lists c-interop with --third-party-url, the cloud key from the environment and never in the log", async () => {
    vi.stubEnv("HILFARM_INTEROP_PLATFORM_KEY", KEY);
    vi.stubEnv("HILFARM_THIRD_PARTY_CLOUD_KEY", "cloud-key-from-env-77");
    const work = await tempDir();
    const log = join(work, "platform.log");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const argv = [
      ...base,
      "--interop-platform-id",
      "lab-home",
      "--tls-dir",
      join(work, "pki"),
      "--third-party-url",
      "https://127.0.0.1:1",
      "--third-party-cloud-id",
      "lab-cloud",
      "--third-party-timeout",
      "2000",
    ];
    const run = main([...argv, "--log-file", log, "--log-level", "debug"], io, () => stopped);
    const ready = await nextLine();
    const surfaces = ready.surfaces as Record<string, Record<string, string>>;
    expect(surfaces["c-interop"]).toEqual({ thirdParty: "https://127.0.0.1:1" });
    // Port 1 refuses: the API says so, naming the interface, and the platform goes on.
    const http = String(surfaces.api?.http);
    const bind = await fetch(`${http}/api/third-party/devices`, {
      method: "POST",
      body: JSON.stringify({ deviceSN: "TP-1" }),
    });
    expect(bind.status).toBe(502);
    expect(await bind.json()).toMatchObject({ error: "THIRD_PARTY_UNREACHABLE", interface: "C21" });
    stop("SIGTERM");
    expect(await run).toBe(0);
    expect(await readFile(log, "utf8")).not.toContain("cloud-key-from-env-77");
  });

  it("exits 2 naming the option for a third party without its id or key, or over plain HTTP", async () => {
    vi.stubEnv("HILFARM_THIRD_PARTY_CLOUD_KEY", undefined);
    const never = () => new Promise<string>(() => undefined);
    const dir = await tempDir();
    const interop = ["--interop-platform-id", "x", "--interop-platform-key", "k", "--tls-dir", dir];
    const cases: Array<[string[], RegExp]> = [
      [["--third-party-url", "https://127.0.0.1:1"], /--third-party-url needs --third-party-cloud-id/],
      [
        ["--third-party-url", "https://127.0.0.1:1", "--third-party-cloud-id", "c"],
        /--third-party-cloud-key/,
      ],
      [
        [
          "--third-party-url",
          "http://127.0.0.1:1",
          "--third-party-cloud-id",
          "c",
          "--third-party-cloud-key",
          "k",
        ],
        /--third-party-url: C runs over HTTPS/,
      ],
      [["--third-party-cloud-id", "c"], /need --third-party-url/],
    ];
    for (const [extra, message] of cases) {
      const out = bufferIo();
      const argv = [...base, ...interop, ...extra, "--log-file", join(dir, "c.log")];
      expect(await main(argv, out.io, never)).toBe(2);
      expect(out.stderr()).toMatch(message);
    }
    const noInterop = bufferIo();
    const argv = [...base, "--third-party-url", "https://127.0.0.1:1", "--log-file", join(dir, "d.log")];
    expect(await main(argv, noInterop.io, never)).toBe(2);
    expect(noInterop.stderr()).toMatch(/--third-party-url need --interop-platform-id/);
  });
});
