import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../../../harness/clock/real-clock.ts";
import { createLogger } from "../../../harness/log/logger.ts";
import { startHilfarm } from "../../../harness/testing/child-process.ts";
import { rssOf } from "../../platform/testing/live-fuzz-targets.ts";
import { startPushReceiver } from "../receiver-server.ts";
import type { PushFuzzTarget } from "./push-fuzz.ts";

/**
 * Where the push fuzz (push-fuzz.ts) sends: a push receiver in this process (for `npm test`) or `hilfarm push receive`
 * as a child process recording to a file (for `npm run fuzz`, where a crash shows as the process's exit).
 */

/** The signing the fuzz's receiver checks (secrets of the test run only). */
export const FUZZ_PUSH_SIGNING = {
  appKey: "hilfarm-fuzz-push-key",
  appSecret: "FzPushSecret0123456789abcdefghij",
};

/** A receiver in this process on the real clock, silent, counting its records' bytes. Uncaught errors are crashes. */
export async function startInProcessPushTarget(): Promise<PushFuzzTarget> {
  let recordBytes = 0;
  const receiver = await startPushReceiver({
    clock: new RealClock(),
    logger: createLogger({ level: "silent" }),
    signing: FUZZ_PUSH_SIGNING,
    onRecord: (record) => {
      recordBytes += JSON.stringify(record).length + 1;
    },
  });
  let crash: string | undefined;
  const onError = (error: unknown) => {
    crash ??= `uncaught ${error instanceof Error ? (error.stack ?? error.message).slice(0, 2000) : String(error)}`;
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  return {
    kind: "in-process",
    url: receiver.url,
    signing: FUZZ_PUSH_SIGNING,
    crashed: () => crash,
    rssBytes: () => process.memoryUsage.rss(),
    recordBytes: () => recordBytes,
    close: async () => {
      await receiver.close();
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
    },
  };
}

/** `hilfarm push receive` as a child process on a free port, signing on, recording to a file of the run. */
export async function startChildPushTarget(): Promise<PushFuzzTarget> {
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-push-fuzz-"));
  const record = join(dir, "pushes.jsonl");
  const child = startHilfarm(
    [
      "push",
      "receive",
      "--port",
      "0",
      "--app-key",
      FUZZ_PUSH_SIGNING.appKey,
      "--record",
      record,
      "--log-level",
      "warn",
    ],
    { HILFARM_PUSH_APP_SECRET: FUZZ_PUSH_SIGNING.appSecret },
  );
  child.child.stderr.on("data", () => {
    if (child.stderr.length > 200) child.stderr.splice(0, child.stderr.length - 100);
  });
  const killOnExit = () => child.child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let crash: string | undefined;
  void child.exited.then((code) => {
    process.off("exit", killOnExit);
    crash ??= `exited with code ${code} (signal ${child.child.signalCode}); stderr: ${child.stderr.join("").slice(-3000)}`;
  });
  let ready: Record<string, unknown>;
  try {
    ready = await child.until("ready");
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const pid = child.child.pid;
  return {
    kind: "child",
    url: String(ready.url),
    signing: FUZZ_PUSH_SIGNING,
    crashed: () => crash,
    rssBytes: () => (pid === undefined || crash !== undefined ? undefined : rssOf(pid)),
    recordBytes: () => {
      try {
        return statSync(record).size;
      } catch {
        return undefined;
      }
    },
    close: async () => {
      if (crash === undefined) {
        crash = "stopped";
        child.child.kill("SIGTERM");
        await child.exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
