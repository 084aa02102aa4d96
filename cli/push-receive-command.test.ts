import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sendPush } from "../emulators/push-receiver/testing/send-push.ts";
import { aqaraCodes, PUSH_SUCCESS_ANSWER, pushBody } from "../harness/protocol/aqara/index.ts";
import { main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const KEY = "push-key-cli";
const SECRET = "cli-secret-0123456789abcdef01234";

afterEach(() => {
  vi.unstubAllEnvs();
});

const logFile = async () => join(await mkdtemp(join(tmpdir(), "hilfarm-push-")), "push.log");

describe("hilfarm push receive", () => {
  it("prints its ready line, answers a good push and refuses a bad sign, records both, takes misbehaviour on stdin and stops", async () => {
    vi.stubEnv("HILFARM_PUSH_APP_SECRET", SECRET);
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const log = await logFile();
    const run = main(
      ["push", "receive", "--port", "0", "--host", "127.0.0.1", "--app-key", KEY, "--log-file", log],
      io,
      () => stopped,
    );
    const ready = await nextLine();
    expect(ready).toEqual({
      event: "ready",
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
      signing: true,
    });
    const url = String(ready.url);
    const body = pushBody(["app-1"], JSON.stringify({ state: "on" }));
    const good = await sendPush(url, {
      time: Date.now(),
      nonce: "cli-1",
      signing: { appKey: KEY, appSecret: SECRET },
      body,
    });
    expect(good.status).toBe(200);
    expect(JSON.parse(good.text)).toEqual(PUSH_SUCCESS_ANSWER);
    const bad = await sendPush(url, {
      time: Date.now(),
      nonce: "cli-2",
      signing: { appKey: KEY, appSecret: "not-the-secret" },
      body,
    });
    expect(JSON.parse(bad.text)).toMatchObject({ code: aqaraCodes.signInvalid.code, requestId: "" });
    expect(await nextLine()).toMatchObject({
      event: "push",
      seq: 1,
      verdict: "accepted",
      clientIds: ["app-1"],
    });
    expect(await nextLine()).toMatchObject({
      event: "push",
      seq: 2,
      verdict: "refused",
      code: 902,
      field: "sign",
    });

    (io.stdin as PassThrough).write('{"fail500":1}\n');
    expect(await nextLine()).toEqual({
      event: "misbehaviour",
      misbehaviour: { abnormal: false, fail500: 1, slowMs: 0, slowCount: false },
    });
    const failed = await sendPush(url, {
      time: Date.now(),
      nonce: "cli-3",
      signing: { appKey: KEY, appSecret: SECRET },
      body,
    });
    expect(failed.status).toBe(500);
    expect(await nextLine()).toMatchObject({ seq: 3, answer: { kind: "fail500", status: 500 } });

    stop("SIGTERM");
    expect(await run).toBe(0);
    expect(await readFile(log, "utf8")).not.toContain(SECRET);
  });

  it("appends records to --record and exits 2 naming the option when the key comes without a secret", async () => {
    vi.stubEnv("HILFARM_PUSH_APP_SECRET", undefined);
    const missing = bufferIo();
    expect(
      await main(["push", "receive", "--app-key", KEY], missing.io, () => new Promise(() => undefined)),
    ).toBe(2);
    expect(missing.stderr()).toMatch(/--app-key and --app-secret/);

    const dir = await mkdtemp(join(tmpdir(), "hilfarm-push-record-"));
    const file = join(dir, "pushes.jsonl");
    const { io, nextLine } = bufferIo();
    let stop: (signal: string) => void = () => undefined;
    const run = main(
      ["push", "receive", "--record", file, "--abnormal", "--log-file", join(dir, "log")],
      io,
      () =>
        new Promise<string>((resolve) => {
          stop = resolve;
        }),
    );
    const ready = await nextLine();
    expect(ready.signing).toBe(false);
    const reply = await sendPush(String(ready.url), {
      time: Date.now(),
      nonce: "f-1",
      body: pushBody(["a"], "x"),
    });
    expect(reply).toMatchObject({ status: 200, text: "success" });
    stop("SIGINT");
    expect(await run).toBe(0);
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ verdict: "accepted", answer: { kind: "abnormal", status: 200, delayMs: 0 } }),
    ]);
  });
});
