import type { Agent } from "node:http";
import type { Logger } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { abnormalAnswer, type PushAnswerFormat } from "../../../harness/protocol/aqara/push-answer.ts";
import { pushBody } from "../../../harness/protocol/aqara/push-message.ts";
import { signPush } from "../../../harness/protocol/aqara/push-signature.ts";
import type { Random } from "../../../harness/random/random.ts";
import type { Fanout, FanoutKind } from "../fanout/fanout.ts";
import type { PushReceiverOptions } from "../platform-options.ts";
import { pushData } from "./push-data.ts";
import type { PushMetrics } from "./push-metrics.ts";
import { type PushAttempt, postPush, pushAgent } from "./push-post.ts";
import { type PushCounts, PushReceiverState, type PushReceiverView } from "./push-receiver-state.ts";

export const DEFAULT_PUSH_TIMEOUT_MS = 10_000;
const NONCE_LENGTH = 16;

export interface PushSenderDeps {
  clock: Clock;
  logger: Logger;
  /** The nonces (the platform's `secretRandom`). */
  random: Random;
  metrics: PushMetrics;
  /** The model of a device, when known: part of each message. */
  modelOf(deviceId: string): string | undefined;
}

/** A receiver as the northbound API shows it: never its secret. */
export interface PushReceiverReport extends PushReceiverView {
  readonly index: number;
  readonly url: string;
  readonly signing: boolean;
  readonly clientIds: readonly string[];
}

/** The URL as logs and metrics name it: no user or password it may carry, no query. */
export function receiverLabel(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** One receiver: its state, and the loop that sends its pushes one at a time. */
class PushReceiver {
  readonly state: PushReceiverState;
  readonly label: string;
  private readonly url: URL;
  private readonly agent: Agent;
  private attempt: PushAttempt | undefined;
  private pumping: Promise<void> | undefined;
  private synced: PushCounts;
  private closed = false;

  constructor(
    readonly config: PushReceiverOptions,
    private readonly deps: PushSenderDeps,
  ) {
    this.url = new URL(config.url);
    this.agent = pushAgent(this.url);
    this.label = receiverLabel(this.url);
    this.state = new PushReceiverState(config);
    this.synced = this.state.view(deps.clock.now()).counts;
    deps.metrics.suspended.set({ receiver: this.label }, 0);
  }

  enqueue(data: string): void {
    this.state.enqueue(data, this.deps.clock.now());
    this.sync();
    this.pump();
  }

  resume(): boolean {
    const resumed = this.state.resume();
    if (resumed) {
      this.deps.logger.warn({ receiver: this.label }, "push receiver resumed: pushing to it again");
      this.deps.metrics.suspended.set({ receiver: this.label }, 0);
      this.pump();
    }
    return resumed;
  }

  /** Ends the push in flight and waits for the loop to stop. */
  async close(): Promise<void> {
    this.closed = true;
    this.attempt?.abort();
    await this.pumping;
    this.agent.destroy();
  }

  private pump(): void {
    if (this.closed) return;
    this.pumping ??= this.run()
      .catch((error: unknown) =>
        this.deps.logger.error({ receiver: this.label, err: error }, "push sender failed"),
      )
      .finally(() => {
        this.pumping = undefined;
        // A message queued between the loop's last look and here.
        const view = this.state.view(this.deps.clock.now());
        if (view.state === "active" && view.queued > 0) this.pump();
      });
  }

  private async run(): Promise<void> {
    const { clock, random, logger, metrics } = this.deps;
    const { appKey, appSecret, clientIds, answerFormat } = this.config;
    while (!this.closed) {
      const push = this.state.take(clock.now());
      if (push === undefined) return;
      const time = String(clock.now());
      const nonce = random.string(NONCE_LENGTH);
      const headers: Record<string, string> =
        appKey === undefined || appSecret === undefined
          ? { time, nonce }
          : { time, nonce, appkey: appKey, sign: signPush({ appkey: appKey, nonce, time }, appSecret) };
      this.attempt = postPush({
        url: this.url,
        headers,
        body: JSON.stringify(pushBody(clientIds, push.data)),
        timeoutMs: this.config.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS,
        clock,
        agent: this.agent,
      });
      const answer = await this.attempt.answer;
      this.attempt = undefined;
      if (this.closed) return;
      const abnormal =
        "failed" in answer
          ? answer.failed
          : abnormalAnswer(answer.status, answer.text, answerFormat satisfies PushAnswerFormat | undefined);
      metrics.pushes.inc({ receiver: this.label, answer: abnormal === undefined ? "normal" : "abnormal" });
      if (abnormal !== undefined)
        logger.debug({ receiver: this.label, abnormal }, "push answered abnormally");
      const suspension = this.state.answered(abnormal, clock.now());
      this.sync();
      if (suspension !== undefined) {
        metrics.suspended.set({ receiver: this.label }, 1);
        logger.warn(
          { receiver: this.label, reason: suspension.reason },
          "push receiver suspended: no more pushes to it until resumed (POST /api/push/receivers/:index/resume)",
        );
      }
    }
  }

  /** The drops since the last look, into the metrics. */
  private sync(): void {
    const { dropped } = this.state.view(this.deps.clock.now()).counts;
    const before = this.synced.dropped;
    const reasons = [
      ["queue_full", dropped.queueFull - before.queueFull],
      ["suspended", dropped.suspended - before.suspended],
      ["expired", dropped.expired - before.expired],
    ] as const;
    for (const [reason, n] of reasons)
      if (n > 0) this.deps.metrics.dropped.inc({ receiver: this.label, reason }, n);
    this.synced = { ...this.synced, dropped: { ...dropped } };
  }
}

/**
 * The push sender: a fan-out target that turns every device change into one message (push-data.ts) and pushes it to
 * each receiver, signed when the receiver has a key and secret (seed, "Request header parameters").
 */
export class PushSender implements Fanout {
  private readonly receivers: PushReceiver[];
  private closed = false;

  constructor(
    receivers: readonly PushReceiverOptions[],
    private readonly deps: PushSenderDeps,
  ) {
    this.receivers = receivers.map((config) => new PushReceiver(config, deps));
  }

  publish(deviceId: string, kind: FanoutKind, payload: unknown): void {
    if (this.closed) return;
    const model = this.deps.modelOf(deviceId);
    const data = pushData({
      msgType: kind,
      deviceId,
      ...(model === undefined ? {} : { model }),
      time: this.deps.clock.now(),
      payload,
    });
    for (const receiver of this.receivers) receiver.enqueue(data);
  }

  /** Every receiver: where, its state and counts, the last abnormal answer. */
  report(): PushReceiverReport[] {
    const now = this.deps.clock.now();
    return this.receivers.map((r, index) => ({
      index,
      url: r.label,
      signing: r.config.appKey !== undefined && r.config.appSecret !== undefined,
      clientIds: r.config.clientIds,
      ...r.state.view(now),
    }));
  }

  /** Pushing to receiver `index` again: true if it was suspended, false if not, undefined if there is none. */
  resume(index: number): boolean | undefined {
    return this.receivers[index]?.resume();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.receivers.map((r) => r.close()));
  }
}
