import { describe, expect, it } from "vitest";
import { FaultyConnector } from "../../harness/link/faults.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { startWorld } from "./world.ts";

/**
 * One run of a world on lossy, slow links: logins, firmware downloads over HTTP, controls, queries and half an hour
 * of heartbeats. Returns every frame the platform saw, with its simulated time.
 */
async function oneRun(): Promise<string[]> {
  const w = await startWorld({
    fleet: {
      devices: [
        { profile: "air-purifier", count: 2 },
        { profile: "air-conditioner", count: 1 },
      ],
    },
    connector: (clock, deviceId) =>
      new FaultyConnector(socketConnector(), clock, seededRandom(Number.parseInt(deviceId.slice(-6), 36)), {
        latencyMs: 40,
        jitterMs: 30,
        drop: 0.05,
      }),
  });
  const start = w.clock.now();
  const timeline: string[] = [];
  w.platform.events.on("frame", ({ deviceId, direction, message, at }) =>
    timeline.push(`${at - start} ${deviceId} ${direction} ${message.code} ${JSON.stringify(message.body)}`),
  );
  try {
    w.fleet.powerOn();
    const ids = w.plan.devices.map((d) => d.deviceId);
    await w.clock.runUntil(() => ids.every((id) => w.platform.store.get(id)?.version.device !== undefined));
    w.platform.firmware.put("ap.bin", Buffer.from("purifier firmware 2.1"));
    const outcomes: string[] = [];
    const settle = async (what: string, operation: Promise<unknown>) =>
      outcomes.push(
        `${what}: ${await w.clock.runUntilSettled(
          operation.then(
            (value) => JSON.stringify(value),
            (error: { code?: string }) => `failed ${error.code}`,
          ),
        )}`,
      );
    for (const [n, purifier] of [w.device("air-purifier", 0), w.device("air-purifier", 1)].entries()) {
      await settle(
        `upgrade ${n}`,
        w.platform.operations.upgrade(purifier.deviceId, { version: `2.1.0.${n}`, firmware: "ap.bin" }),
      );
      await w.clock.runUntil(
        () => w.platform.store.get(purifier.deviceId)?.events.some((e) => e.kind === "upgrade") === true,
      );
    }
    const ac = w.device("air-conditioner");
    await settle(
      "control",
      w.platform.operations.control(ac.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "SET_POWER", cmdParam: "1" }],
      }),
    );
    await settle("query", w.platform.operations.query(ac.deviceId));
    await w.clock.advanceAsync(30 * 60_000);
    // Each world listens on ports of its own (port 0): the one thing two runs may not share.
    return [...timeline, ...outcomes, `end ${w.clock.now() - start}`].map((line) =>
      line.replaceAll(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>"),
    );
  } finally {
    await w.close();
  }
}

describe("the same seed, the same run", () => {
  it("a world on lossy links gives the same frames at the same simulated instants, firmware downloads included", async () => {
    const first = await oneRun();
    const second = await oneRun();
    // The run must have done what it is about: both downloads reported, and frames lost and sent again.
    const frames = first
      .filter((line) => /^\d+ /.test(line))
      .map((line) => {
        const [, deviceId, direction, code, ...body] = line.split(" ");
        return {
          deviceId,
          direction,
          code,
          sequence: (JSON.parse(body.join(" ")) as { sequence?: string }).sequence,
        };
      });
    const reported = frames.filter(({ direction, code }) => direction === "in" && code === "2026");
    expect(new Set(reported.map(({ deviceId }) => deviceId)).size).toBe(2);
    // 5.2: a request is sent again with the sequence of its first send.
    const sent = frames.map(
      ({ deviceId, direction, code, sequence }) => `${deviceId} ${direction} ${code} ${sequence}`,
    );
    expect(new Set(sent).size).toBeLessThan(sent.length);
    expect(second).toEqual(first);
  });
});
