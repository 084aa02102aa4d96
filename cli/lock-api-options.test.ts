import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signRequest } from "../harness/protocol/lock-api/signing.ts";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const base = ["platform", "--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt"];
const never = () => new Promise<string>(() => undefined);

describe("hilfarm platform --lock-api-* (the smart-lock open API)", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("lists lock-api in the ready line, with the secret from the environment and never in the log", async () => {
    const secret = "abcdefabcdefabcdefabcdefabcdef12";
    vi.stubEnv("HILFARM_LOCK_API_SECRET", secret);
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-lock-api-"));
    dirs.push(dir);
    const log = join(dir, "platform.log");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const run = main(
      [...base, "--lock-api-client-id", "lab", "--log-file", log, "--log-level", "debug"],
      io,
      () => stopped,
    );
    const ready = await nextLine();
    const lockApi = (ready.surfaces as Record<string, { http: string }>)["lock-api"]?.http ?? "";
    expect(lockApi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // An unsigned call: HTTP 200 and the envelope naming the missing header.
    const answer = await fetch(`${lockApi}/v1.0/token?grant_type=1`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ success: false, code: 1105 });
    stop("SIGTERM");
    expect(await run).toBe(0);
    const text = await readFile(log, "utf8");
    expect(text).toContain("lock-api answer");
    expect(text).not.toContain(secret);
  });

  it("exits 2 naming the option when the secret is missing or not 32 characters", async () => {
    vi.stubEnv("HILFARM_LOCK_API_SECRET", undefined);
    const noSecret = bufferIo();
    expect(await main([...base, "--lock-api-client-id", "lab"], noSecret.io, never)).toBe(2);
    expect(noSecret.stderr()).toMatch(/--lock-api-secret/);
    const short = bufferIo();
    expect(
      await main([...base, "--lock-api-client-id", "lab", "--lock-api-secret", "short"], short.io, never),
    ).toBe(2);
    expect(short.stderr()).toMatch(/--lock-api-secret of "lab": expected 32 characters .* got 5/);
  });

  it("takes more clients from HILFARM_LOCK_API_CLIENTS: each gets its own token; a malformed entry exits 2 naming it", async () => {
    vi.stubEnv("HILFARM_LOCK_API_SECRET", "abcdefabcdefabcdefabcdefabcdef12");
    vi.stubEnv("HILFARM_LOCK_API_CLIENTS", "second:0123456789abcdef0123456789abcdef");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const run = main([...base, "--lock-api-client-id", "lab"], io, () => stopped);
    const ready = await nextLine();
    const lockApi = (ready.surfaces as Record<string, { http: string }>)["lock-api"]?.http ?? "";
    const t = String(Date.now());
    const headers = signRequest({
      clientId: "second",
      secret: "0123456789abcdef0123456789abcdef",
      method: "GET",
      target: "/v1.0/token?grant_type=1",
      t,
    });
    const answer = await fetch(`${lockApi}/v1.0/token?grant_type=1`, { headers });
    expect(await answer.json()).toMatchObject({ success: true, result: { uid: "hilfarm-second" } });
    stop("SIGTERM");
    expect(await run).toBe(0);

    vi.stubEnv("HILFARM_LOCK_API_CLIENTS", "second:0123456789abcdef0123456789abcdef,broken");
    const bad = bufferIo();
    expect(await main([...base, "--lock-api-client-id", "lab"], bad.io, never)).toBe(2);
    expect(bad.stderr()).toMatch(/HILFARM_LOCK_API_CLIENTS: entry 2 is not client_id:secret/);
  });
});
