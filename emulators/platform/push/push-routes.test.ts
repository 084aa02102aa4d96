import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { seededRandom } from "../../../harness/random/random.ts";
import { createHttpApi } from "../api/http-api.ts";
import { defaultLimits } from "../limits.ts";
import { PlatformMetrics } from "../metrics.ts";
import { closeListener } from "../net.ts";
import type { PushReceiverOptions } from "../platform-options.ts";
import { PushMetrics } from "./push-metrics.ts";
import { PushSender } from "./push-sender.ts";
import { pushRoutes } from "./routes.ts";
import { startTestReceiver } from "./testing/test-receiver.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SIGNING = { appKey: "lab-push-key", appSecret: "lab-push-secret-0123456789abcdef" };

/** A sender to one test receiver, with the northbound API's push routes on a real socket. */
async function setUp(receiver: Omit<PushReceiverOptions, "url" | "clientIds">) {
  const clock = new VirtualClock();
  const lines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
  const metrics = new PlatformMetrics();
  const target = await startTestReceiver(clock, SIGNING);
  cleanups.push(() => target.close());
  const sender = new PushSender([{ url: target.url, ...SIGNING, clientIds: ["app-1"], ...receiver }], {
    clock,
    logger,
    random: seededRandom(3),
    metrics: new PushMetrics(metrics.registry),
    modelOf: () => "LOCK-01",
  });
  cleanups.push(() => sender.close());
  const server: Server = createHttpApi({
    metrics,
    logger,
    limits: defaultLimits(),
    routes: [pushRoutes(() => sender, 4096)],
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await closeListener(server);
  });
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/push/receivers`;
  let n = 0;
  const change = () => sender.publish("00000000000000000000zb02", "state", { "0": { LOCK: String(n++) } });
  return { clock, lines, target, sender, api, change, metrics };
}

describe("the northbound API of the push sender", () => {
  it("shows a suspended receiver (never its secret), resumes it on POST, and pushes come back", async () => {
    const { clock, lines, target, api, change } = await setUp({ abnormalLimit: 2 });
    target.answerNext("http-500", "bad-body");
    change();
    change();
    change();
    await clock.runUntil(() => lines.some((l) => l.includes("push receiver suspended")));
    const shown = await (await fetch(api)).text();
    expect(shown).not.toContain(SIGNING.appSecret);
    expect(JSON.parse(shown)).toEqual({
      receivers: [
        expect.objectContaining({
          index: 0,
          url: target.url,
          signing: true,
          clientIds: ["app-1"],
          state: "suspended",
          policy: "consecutive",
          counts: { sent: 2, normal: 0, abnormal: 2, dropped: { queueFull: 0, suspended: 1, expired: 0 } },
          lastAbnormal: { reason: "a body that is not JSON", at: clock.now() },
          suspended: {
            reason: "2 abnormal answers in a row, the last: a body that is not JSON",
            at: clock.now(),
          },
        }),
      ],
    });
    change();
    await clock.advanceAsync(1000);
    expect(target.pushes).toHaveLength(2);

    const resumed = await fetch(`${api}/0/resume`, { method: "POST" });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ resumed: true, receiver: { state: "active" } });
    expect(lines.some((l) => l.includes("push receiver resumed"))).toBe(true);
    change();
    await clock.runUntil(() => target.pushes.length === 3);
    expect(target.pushes[2]).toMatchObject({
      verdict: "ok",
      data: { msgType: "state", payload: { "0": { LOCK: "4" } } },
    });
    const again = await (await fetch(`${api}/0/resume`, { method: "POST" })).json();
    expect(again).toMatchObject({ resumed: false });
  });

  it("answers 404 naming a receiver that does not exist", async () => {
    const { api } = await setUp({});
    const answer = await fetch(`${api}/7/resume`, { method: "POST" });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: "NOT_FOUND", detail: 'no push receiver "7": expected 0-0' });
  });

  it("cloud policy: one failed push of few suspends; the message is kept and delivered after resume", async () => {
    const { clock, lines, target, api, change, metrics } = await setUp({ policy: "cloud" });
    target.answerNext("http-500");
    change();
    await clock.runUntil(() => lines.some((l) => l.includes("push receiver suspended")));
    expect(JSON.parse(lines.find((l) => l.includes("suspended")) ?? "{}").reason).toBe(
      "1 of 1 pushes abnormal within 5 minutes (over 5 %), the last: HTTP 500",
    );
    change();
    expect((await (await fetch(api)).json()).receivers[0]).toMatchObject({ state: "suspended", queued: 2 });
    await fetch(`${api}/0/resume`, { method: "POST" });
    await clock.runUntil(() => target.pushes.length === 3);
    expect(
      target.pushes.map((p) => (p.data.payload as Record<string, Record<string, string>>)["0"]?.LOCK),
    ).toEqual(["0", "0", "1"]);
    expect(await metrics.text()).toContain(
      `hilfarm_platform_push_receiver_suspended{receiver="${target.url}"} 0`,
    );
  });

  it("a full queue drops the oldest, counted in /metrics", async () => {
    const { clock, target, change, metrics } = await setUp({ queueLimit: 2 });
    target.setMode("silent");
    // The first is in flight; of the next four, two wait and two are dropped.
    for (let i = 0; i < 5; i++) change();
    expect(await metrics.text()).toContain(
      `hilfarm_platform_pushes_dropped_total{receiver="${target.url}",reason="queue_full"} 2`,
    );
    target.setMode("ok");
    await clock.runUntil(() => target.pushes.length === 3);
    expect(
      target.pushes.map((p) => (p.data.payload as Record<string, Record<string, string>>)["0"]?.LOCK),
    ).toEqual(["0", "3", "4"]);
  });
});
