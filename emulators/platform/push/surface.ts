import { UsageError } from "../../../harness/errors.ts";
import type { PlatformContext } from "../context.ts";
import type { PlatformOptions, PushOptions } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { PushMetrics } from "./push-metrics.ts";
import { PushSender, receiverLabel } from "./push-sender.ts";

const NAME = "push";

function pushOf(options: PlatformOptions): PushOptions {
  if (options.push === undefined)
    throw new UsageError("push-url", `the ${NAME} surface needs the push options`);
  return options.push;
}

const positiveInteger = (value: number | undefined, flag: string, max: number): void => {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max))
    throw new UsageError(flag, `--${flag}: expected an integer 1-${max}, got ${value}`);
};

function checkPush(options: PlatformOptions): void {
  const { receivers } = pushOf(options);
  if (receivers.length === 0)
    throw new UsageError("push-url", "the push sender needs at least one --push-url");
  const seen = new Set<string>();
  for (const receiver of receivers) {
    let url: URL;
    try {
      url = new URL(receiver.url);
    } catch {
      throw new UsageError("push-url", `--push-url: not a URL: ${JSON.stringify(receiver.url)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new UsageError(
        "push-url",
        `--push-url: expected http:// or https://, got ${JSON.stringify(url.protocol)}`,
      );
    if (seen.has(receiverLabel(url)))
      throw new UsageError("push-url", `--push-url ${receiverLabel(url)} is listed twice`);
    seen.add(receiverLabel(url));
    if ((receiver.appKey === undefined) !== (receiver.appSecret === undefined))
      throw new UsageError(
        receiver.appKey === undefined ? "push-app-key" : "push-app-secret",
        "signing needs both --push-app-key and --push-app-secret (or HILFARM_PUSH_APP_SECRET), or neither",
      );
    if (receiver.appKey === "" || receiver.appSecret === "")
      throw new UsageError("push-app-key", "--push-app-key and --push-app-secret must not be empty");
    if (receiver.clientIds.length === 0 || receiver.clientIds.some((id) => id === "" || id.includes(",")))
      throw new UsageError(
        "push-client-id",
        `--push-client-id: at least one, none empty or with a comma, got ${JSON.stringify(receiver.clientIds)}`,
      );
    positiveInteger(receiver.timeoutMs, "push-timeout-ms", 600_000);
    positiveInteger(receiver.abnormalLimit, "push-abnormal-limit", 10_000);
    positiveInteger(receiver.queueLimit, "push-queue-limit", 1_000_000);
  }
}

/**
 * The message push sender (`000_0e61b4fd1fe27231.txt`, "Message Push"): a target of the platform's fan-out that
 * POSTs every device change to each receiver, and stops pushing to one that answers abnormally (push-receiver-state.ts)
 * until resumed through the northbound API. Listed only with `push`; it listens nowhere (no addresses).
 */
export const pushSurface: Surface = {
  name: NAME,
  check: checkPush,
  start(context: PlatformContext): Promise<StartedSurface> {
    const { receivers } = pushOf(context.options);
    const sender = new PushSender(receivers, {
      clock: context.clock,
      logger: context.logger.child({ surface: NAME }),
      random: context.secretRandom.fork("push nonces"),
      metrics: new PushMetrics(context.metrics.registry),
      modelOf: (deviceId) => context.store.get(deviceId)?.model,
    });
    const remove = context.fanout.add(sender);
    context.push = sender;
    return Promise.resolve({
      addresses: {},
      close: async () => {
        remove();
        context.push = undefined;
        await sender.close();
      },
    });
  },
};
