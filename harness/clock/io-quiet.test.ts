import { pbkdf2 } from "node:crypto";
import { lookup } from "node:dns/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ioEvents } from "./io-quiet.ts";
import { RealClock } from "./real-clock.ts";
import { TimerWheel } from "./timer-wheel.ts";
import { QUIET_TURNS, VirtualClock } from "./virtual-clock.ts";

/** A loopback TCP pair that bounces a counter back and forth: each bounce is one hop through the kernel. */
async function pingPong(): Promise<{ start(hops: number): void; hops(): number; close(): void }> {
  let done = 0;
  let left = 0;
  let server: Socket | undefined;
  const listening: Server = createServer((socket) => {
    server = socket;
    socket.on("data", () => bounce(socket));
  });
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const { port } = listening.address() as { port: number };
  const client = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  client.on("data", () => bounce(client));
  function bounce(socket: Socket): void {
    done++;
    if (--left > 0) socket.write("x");
  }
  return {
    start: (hops) => {
      left = hops;
      client.write("x");
    },
    hops: () => done,
    close: () => {
      client.destroy();
      server?.destroy();
      listening.close();
    },
  };
}

/** Settles after `turns` event-loop turns: work that shows a callback in every turn, and needs more turns than allowed. */
function turnsOfWork(turns: number): Promise<number> {
  return new Promise((resolve) => {
    let left = turns;
    const step = () => (--left > 0 ? setImmediate(step) : resolve(turns));
    setImmediate(step);
  });
}

/** Whether the work a timer starts at 10 ms (`start`) has ended when the next timer, at 11 ms, fires. */
async function endedBeforeNextTimer(clock: VirtualClock, start: () => Promise<unknown>): Promise<boolean> {
  let done = false;
  let doneBeforeNext = false;
  clock.setTimeout(() => {
    void start().then(() => {
      done = true;
    });
  }, 10);
  clock.setTimeout(() => {
    doneBeforeNext = done;
  }, 11);
  await clock.advanceAsync(20);
  return doneBeforeNext;
}

/** A clock that gives real I/O 50 turns at most: fewer than `turnsOfWork(500)` takes. */
const fiftyTurns = () => new VirtualClock({ start: 0, ioTurns: 50, quietTurns: QUIET_TURNS });

describe("VirtualClock lets real I/O settle before the next timer", () => {
  let close: () => void = () => undefined;
  afterEach(() => close());

  it("a 30-hop exchange started by one timer has finished when the next timer fires", async () => {
    const pair = await pingPong();
    close = pair.close;
    const clock = new VirtualClock({ start: 0, quietTurns: QUIET_TURNS });
    let seenByNext = -1;
    clock.setTimeout(() => pair.start(30), 10);
    clock.setTimeout(() => {
      seenByNext = pair.hops();
    }, 11);
    await clock.advanceAsync(20);
    expect(seenByNext).toBe(30);
  });

  it("waits for a name lookup in flight (thread-pool work shows no I/O event until it is done)", async () => {
    // A lookup can take longer than the default allowance of turns; the allowance is not what is tested here.
    const clock = new VirtualClock({ start: 0, ioTurns: 100_000, quietTurns: QUIET_TURNS });
    const lookedUp = await endedBeforeNextTimer(clock, () => {
      // Four slow key derivations hold the thread pool's four threads, so the lookup waits its turn there.
      for (let i = 0; i < 4; i++) pbkdf2("hilfarm", "salt", 60_000, 32, "sha256", () => undefined);
      return lookup("localhost");
    });
    expect(lookedUp).toBe(true);
  });

  it("waits for callbacks queued for the check phase (work spread over turns with no I/O event)", async () => {
    const clock = new VirtualClock({ start: 0, ioTurns: 100, quietTurns: QUIET_TURNS });
    expect(await endedBeforeNextTimer(clock, () => turnsOfWork(30))).toBe(true);
  });

  it("stops as soon as nothing is on its way: 2,000 timers with an allowance of 100,000 turns each", async () => {
    // Were every allowed turn taken, this would be 200 million event-loop turns: far past the test's timeout.
    const clock = new VirtualClock({ start: 0, ioTurns: 100_000, quietTurns: QUIET_TURNS });
    let fired = 0;
    clock.setInterval(() => fired++, 1000);
    await clock.advanceAsync(2_000_000);
    expect(fired).toBe(2000);
  });

  it("two clocks settling at once do not take each other's turns for work on its way", async () => {
    const clocks = [0, 1].map(
      () => new VirtualClock({ start: 0, ioTurns: 100_000, quietTurns: QUIET_TURNS }),
    );
    let fired = 0;
    for (const clock of clocks) clock.setInterval(() => fired++, 1000);
    await Promise.all(clocks.map((clock) => clock.advanceAsync(500_000)));
    expect(fired).toBe(1000);
  });

  it("says which Node it needs when libuv's count of I/O events is missing", () => {
    const missing = vi
      .spyOn(performance.nodeTiming, "uvMetricsInfo", "get")
      .mockReturnValue(undefined as never);
    try {
      expect(() => ioEvents()).toThrow(
        `Node ${process.versions.node} does not give: hilfarm needs Node >= 20.19`,
      );
    } finally {
      missing.mockRestore();
    }
    expect(ioEvents()).toBeGreaterThanOrEqual(0);
  });

  it("still gives up after `ioTurns` turns when I/O never stops", async () => {
    const pair = await pingPong();
    close = pair.close;
    const clock = new VirtualClock({ start: 0, ioTurns: 20, quietTurns: QUIET_TURNS });
    clock.setTimeout(() => pair.start(1_000_000), 10);
    await clock.advanceAsync(20);
    expect(pair.hops()).toBeGreaterThan(0);
    expect(pair.hops()).toBeLessThan(1_000_000);
  });
});

describe("VirtualClock.realWork", () => {
  it("fires no timer while real work is pending, however many turns it takes", async () => {
    // Without it, the clock gives up after its 50 turns and fires the next timer while the work runs on.
    expect(await endedBeforeNextTimer(fiftyTurns(), () => turnsOfWork(500))).toBe(false);
    const clock = fiftyTurns();
    expect(await endedBeforeNextTimer(clock, () => clock.realWork("500 turns", turnsOfWork(500)))).toBe(true);
  });

  it("hands back the work's own outcome, a rejection too, and goes on after it", async () => {
    const clock = new VirtualClock({ start: 0, quietTurns: QUIET_TURNS });
    await expect(clock.realWork("value", turnsOfWork(3))).resolves.toBe(3);
    const failed = clock.realWork(
      "failure",
      turnsOfWork(3).then(() => Promise.reject(new Error("HTTP 404"))),
    );
    await expect(failed).rejects.toThrow("HTTP 404");
    let fired = 0;
    clock.setInterval(() => fired++, 1000);
    await clock.advanceAsync(3000);
    expect(fired).toBe(3);
  });

  it("throws, naming the work, when it has not ended within the real-time limit", async () => {
    const clock = new VirtualClock({ start: 0, quietTurns: QUIET_TURNS, realWorkLimitMs: 0 });
    void clock.realWork("firmware download", new Promise(() => undefined));
    await expect(clock.advanceAsync(1000)).rejects.toThrow(
      "real work still pending after 0 real ms (firmware download)",
    );
    expect(clock.now()).toBe(0);
    // The work given up on no longer holds the clock.
    await clock.advanceAsync(1000);
    expect(clock.now()).toBe(1000);
  });

  it("a timer wheel on a virtual clock hands its real work to that clock", async () => {
    const clock = fiftyTurns();
    const wheel = new TimerWheel(clock);
    expect(await endedBeforeNextTimer(clock, () => wheel.realWork("500 turns", turnsOfWork(500)))).toBe(true);
  });

  it("a real clock hands the work back as it is", () => {
    const work = Promise.resolve(1);
    expect(new RealClock().realWork("anything", work)).toBe(work);
  });
});

describe("VirtualClock.runningWallMs", () => {
  it("counts the wall time spent moving the clock, nested calls once, and not the time between calls", async () => {
    const clock = new VirtualClock({ start: 0 });
    expect(clock.runningWallMs()).toBe(0);
    clock.setTimeout(() => {
      const until = performance.now() + 5;
      while (performance.now() < until);
    }, 10);
    await clock.runUntilSettled(new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 20)));
    const afterRun = clock.runningWallMs();
    expect(afterRun).toBeGreaterThanOrEqual(5);
    const until = performance.now() + 20;
    while (performance.now() < until);
    expect(clock.runningWallMs()).toBe(afterRun);
    clock.advance(1000);
    expect(clock.runningWallMs()).toBeGreaterThanOrEqual(afterRun);
    expect(clock.runningWallMs()).toBeLessThan(afterRun + 20);
  });
});
