import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../../../harness/clock/real-clock.ts";
import { createLogger } from "../../../harness/log/logger.ts";
import { startHilfarm } from "../../../harness/testing/child-process.ts";
import { type FuzzedChild, watchFuzzedChild } from "../../platform/testing/fuzzed-child.ts";
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
  let watched: FuzzedChild;
  try {
    watched = await watchFuzzedChild(child);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind: "child",
    url: String(watched.ready.url),
    signing: FUZZ_PUSH_SIGNING,
    crashed: () => watched.crashed(),
    rssBytes: () => watched.rssBytes(),
    recordBytes: () => {
      try {
        return statSync(record).size;
      } catch {
        return undefined;
      }
    },
    close: async () => {
      await watched.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
