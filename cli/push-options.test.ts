import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FREE_PORTS } from "../harness/testing/child-process.ts";
import { main } from "./main.ts";
import { type PushCommandOptions, pushOptions } from "./push-options.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const base = ["platform", "--registry", "examples/registry/lab.json", ...FREE_PORTS, "--no-mqtt"];
const never = () => new Promise<string>(() => undefined);

/** The `push` section `hilfarm platform` would start with these arguments. */
function parsed(args: string[]) {
  const command = pushOptions.add(new Command().exitOverride());
  command.parse(args, { from: "user" });
  return pushOptions.platform(command.opts<PushCommandOptions>());
}

afterEach(() => vi.unstubAllEnvs());

describe("--push-* options", () => {
  it("give one receiver per --push-url, signed with key and secret, client ids repeated or comma-listed", () => {
    vi.stubEnv("HILFARM_PUSH_APP_SECRET", "from-the-environment");
    expect(
      parsed([
        "--push-url",
        "http://127.0.0.1:9000/push",
        "--push-url",
        "https://receiver.example/hook",
        "--push-app-key",
        "k1",
        "--push-client-id",
        "a,b",
        "--push-client-id",
        "c",
        "--push-abnormal-limit",
        "3",
        "--push-timeout-ms",
        "2500",
        "--push-policy",
        "cloud",
      ]),
    ).toEqual({
      push: {
        receivers: ["http://127.0.0.1:9000/push", "https://receiver.example/hook"].map((url) => ({
          url,
          appKey: "k1",
          appSecret: "from-the-environment",
          clientIds: ["a", "b", "c"],
          abnormalLimit: 3,
          timeoutMs: 2500,
          policy: "cloud",
        })),
      },
    });
  });

  it("unsigned without key and secret; nothing without --push-url", () => {
    vi.stubEnv("HILFARM_PUSH_APP_SECRET", undefined);
    expect(parsed(["--push-url", "http://127.0.0.1:9000/", "--push-client-id", "a"])).toEqual({
      push: { receivers: [{ url: "http://127.0.0.1:9000/", clientIds: ["a"] }] },
    });
    expect(parsed([])).toEqual({});
  });

  it("refuse, naming the option and the value: a bad URL, a bad policy, a key without secret, no client id", () => {
    vi.stubEnv("HILFARM_PUSH_APP_SECRET", undefined);
    expect(() => parsed(["--push-url", "ftp://x/"])).toThrow(
      /--push-url must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x\/"/,
    );
    expect(() =>
      parsed(["--push-url", "http://x/", "--push-client-id", "a", "--push-policy", "often"]),
    ).toThrow(/--push-policy must be one of consecutive, cloud, got "often"/);
    expect(() => parsed(["--push-url", "http://x/", "--push-client-id", "a", "--push-app-key", "k"])).toThrow(
      /--push-app-key and --push-app-secret/,
    );
    expect(() => parsed(["--push-url", "http://x/"])).toThrow(/--push-url needs --push-client-id/);
    expect(() => parsed(["--push-client-id", "a,,b"])).toThrow(
      /--push-client-id has an empty id: got "a,,b"/,
    );
  });
});

describe("hilfarm platform --push-url", () => {
  it("exits 2 naming --push-url and the value for a URL that is not one", async () => {
    const { io, stderr } = bufferIo();
    expect(await main([...base, "--push-url", "not a url", "--push-client-id", "a"], io, never)).toBe(2);
    expect(stderr()).toMatch(/--push-url must be an http:\/\/ or https:\/\/ URL, got "not a url"/);
  });

  it("starts the push surface and lists it in the ready line", async () => {
    vi.stubEnv("HILFARM_PUSH_APP_SECRET", "a-secret");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const args = ["--push-url", "http://127.0.0.1:9/push", "--push-app-key", "k", "--push-client-id", "a"];
    const run = main([...base, ...args], io, () => stopped);
    const ready = await nextLine();
    expect(ready.surfaces).toHaveProperty("push");
    stop("SIGTERM");
    expect(await run).toBe(0);
  });
});
