import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { seededRandom } from "../random/random.ts";
import { FaultyConnector, type LinkFaults, Partition } from "./faults.ts";
import { memoryConnector } from "./memory-link.ts";

async function setup(faults: Partial<LinkFaults> = {}) {
  const clock = new VirtualClock({ start: 0 });
  const { connector, peers } = memoryConnector();
  const faulty = new FaultyConnector(connector, clock, seededRandom(9), faults);
  const link = await faulty.open("tcp", "mem:1");
  const peer = peers[0];
  if (peer === undefined) throw new Error("no peer");
  const down: Array<[number, string]> = [];
  link.onLine((line) => down.push([clock.now(), line.toString()]));
  const up = () => peer.received.map((b) => b.toString());
  return { clock, faulty, link, peer, down, up };
}

const frames = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`frame-${i}`));

describe("link faults", () => {
  it("delay every frame by latency, keeping order", async () => {
    const { clock, link, up } = await setup({ latencyMs: 200, jitterMs: 150 });
    for (const f of frames(20)) link.send(f);
    expect(up()).toEqual([]);
    clock.advance(49);
    expect(up()).toEqual([]);
    clock.advance(351);
    expect(up()).toEqual(frames(20).map(String));
  });

  it("drop, duplicate and corrupt at about the rate asked, from the seed", async () => {
    const { link, up } = await setup({ drop: 0.3 });
    for (const f of frames(2000)) link.send(f);
    expect(up().length).toBeGreaterThan(1300);
    expect(up().length).toBeLessThan(1500);
    const dup = await setup({ duplicate: 0.5 });
    for (const f of frames(1000)) dup.link.send(f);
    expect(dup.up().length).toBeGreaterThan(1400);
    expect(dup.up().length).toBeLessThan(1600);
    const bad = await setup({ corrupt: 1 });
    bad.link.send(Buffer.from("CTS{}"));
    expect(bad.up()).toHaveLength(1);
    expect(bad.up()[0]).not.toBe("CTS{}");
  });

  it("reorder: a held frame arrives after the next one, or a little late when none follows", async () => {
    const { clock, link, up } = await setup({ reorder: 1 });
    link.send(Buffer.from("a"));
    expect(up()).toEqual([]);
    link.send(Buffer.from("b"));
    expect(up()).toEqual(["b", "a"]);
    link.send(Buffer.from("c"));
    clock.advance(99);
    expect(up()).toEqual(["b", "a"]);
    clock.advance(1);
    expect(up()).toEqual(["b", "a", "c"]);
  });

  it("limit bandwidth: 1000 bytes at 10 kB/s take 100 ms", async () => {
    const { clock, link, up } = await setup({ bandwidthBytesPerSecond: 10_000 });
    for (let i = 0; i < 10; i++) link.send(Buffer.alloc(100, 65));
    clock.advance(99);
    expect(up()).toHaveLength(9);
    clock.advance(1);
    expect(up()).toHaveLength(10);
  });

  it("act one way only when asked", async () => {
    const { link, peer, up, down } = await setup({ drop: 1, direction: "up" });
    link.send(Buffer.from("lost"));
    peer.deliver(Buffer.from("kept"));
    expect(up()).toEqual([]);
    expect(down.map(([, s]) => s)).toEqual(["kept"]);
  });

  it("a cut made while a connection is opening reaches that connection: open fails, the link is closed", async () => {
    const clock = new VirtualClock({ start: 0 });
    const { connector, peers } = memoryConnector();
    let release: () => void = () => undefined;
    const slow = {
      open: async (transport: "tcp" | "udp", address: string) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return connector.open(transport, address);
      },
    };
    const faulty = new FaultyConnector(slow, clock, seededRandom(9));
    const opening = faulty.open("tcp", "mem:1");
    faulty.cut("reset");
    release();
    await expect(opening).rejects.toThrow("link to mem:1 is cut (reset)");
    expect(peers[0]?.closed).toBe(true);
  });

  it("cut half-open: frames vanish both ways and nobody is told; heal restores them", async () => {
    const { faulty, link, peer, up, down } = await setup();
    faulty.cut("half-open");
    link.send(Buffer.from("x"));
    peer.deliver(Buffer.from("y"));
    expect(up()).toEqual([]);
    expect(down).toEqual([]);
    expect(peer.closed).toBe(false);
    await expect(faulty.open("tcp", "mem:2")).rejects.toThrow(/cut \(half-open\)/);
    faulty.heal();
    link.send(Buffer.from("z"));
    expect(up()).toEqual(["z"]);
  });

  it("cut reset closes the connection at once; slow close delays a close", async () => {
    const reset = await setup();
    let closed = false;
    reset.link.onClose(() => {
      closed = true;
    });
    reset.faulty.cut("reset");
    expect(closed).toBe(true);
    const slow = await setup({ slowCloseMs: 5_000 });
    slow.link.close();
    expect(slow.peer.closed).toBe(false);
    slow.clock.advance(5_000);
    expect(slow.peer.closed).toBe(true);
  });

  it("a partition cuts a set of devices together", async () => {
    const a = await setup();
    const b = await setup();
    const partition = new Partition().add(a.faulty, b.faulty);
    partition.isolate();
    a.link.send(Buffer.from("1"));
    b.link.send(Buffer.from("2"));
    expect([a.up(), b.up()]).toEqual([[], []]);
    partition.heal();
    a.link.send(Buffer.from("3"));
    expect(a.up()).toEqual(["3"]);
  });

  it("a close waits for every frame on its way, jittered or held back for reordering", async () => {
    const { clock, link, peer } = await setup({ latencyMs: 100, jitterMs: 90, reorder: 0.5 });
    const events: string[] = [];
    link.onLine((line) => events.push(line.toString()));
    link.onClose(() => events.push("close"));
    for (const f of frames(50)) peer.deliver(f);
    peer.hangUp();
    clock.advance(1_000);
    expect(events.length).toBe(51);
    expect(events.at(-1)).toBe("close");
  });

  it("a close arrives after the frames already on their way", async () => {
    const { clock, link, peer, down } = await setup({ latencyMs: 100 });
    let closedAt = -1;
    link.onClose(() => {
      closedAt = clock.now();
    });
    peer.deliver(Buffer.from("answer"));
    peer.hangUp();
    expect(closedAt).toBe(-1);
    clock.advance(200);
    expect(down.map(([at, s]) => [at, s])).toEqual([[100, "answer"]]);
    // Right behind the frame, never before it.
    expect(closedAt).toBe(100);
  });
});
