import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { decodeSearchResponse } from "../../../harness/protocol/md/discovery.ts";
import { LAN_MAX_CLIENTS, LAN_MAX_FRAME_LENGTH } from "./lan-side.ts";
import { type LanWorld, startLanWorld } from "./testing/lan-world.ts";

let world: LanWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(): Promise<LanWorld> {
  world = await startLanWorld();
  return world;
}

const setMode = (w: LanWorld, mode: string) =>
  w.clock.runUntilSettled(
    w.platform.operations.control(w.device.deviceId, {
      serialId: "0",
      cmd: [{ cmdName: "SET_MODE", cmdParam: mode }],
    }),
  );

describe("LAN misbehaviour switches, as an app sees them on the wire", () => {
  it("lanWrongLength: the discovery answer's deviceIdLength is off by one and the struct no longer reads", async () => {
    const w = await start();
    const s = await w.searcher();
    s.search("");
    const good = await s.nextRaw();
    expect(decodeSearchResponse(good).ok).toBe(true);
    w.device.misbehaviour.lanWrongLength = true;
    s.search("");
    const bad = await s.nextRaw();
    expect(bad[2]).toBe((good[2] ?? 0) + 1);
    expect(decodeSearchResponse(bad).ok).toBe(false);
  });

  it("lanAcceptBadKey: a wrong lanKey is refused, then accepted, and the session runs on it", async () => {
    const w = await start();
    const wrong = { lanKey: "00112233445566778899aabbccddeeff" };
    const refused = await w.client();
    expect(await refused.auth(w.device.deviceId, w.pin, wrong)).toEqual({ cmd: "resp", code: 200003 });
    w.device.misbehaviour.lanAcceptBadKey = true;
    const accepted = await w.client();
    expect(await accepted.auth(w.device.deviceId, w.pin, wrong)).toEqual({ cmd: "resp", code: 0 });
    accepted.send({ cmd: "query", to: w.device.deviceId, mid: "1" });
    expect(await accepted.next()).toMatchObject({ cmd: "resp", mid: "1", code: 0 });
  });

  it("lanIgnoreLiveTime: the session outlives its liveTime", async () => {
    const w = await start();
    w.device.misbehaviour.lanIgnoreLiveTime = true;
    const c = await w.authed("60");
    await w.clock.advanceAsync(120_000);
    expect(c.isClosed).toBe(false);
    c.send({ cmd: "query", to: w.device.deviceId, mid: "late" });
    expect(await c.next()).toMatchObject({ cmd: "resp", mid: "late", code: 0 });
    expect(w.lan.counters.closed["lan-key-expired"]).toBe(0);
  });

  it("lanWrongMid: query and opt are answered with another mid", async () => {
    const w = await start();
    const c = await w.authed();
    c.send({ cmd: "query", to: w.device.deviceId, mid: "7" });
    expect(await c.next()).toMatchObject({ mid: "7" });
    w.device.misbehaviour.lanWrongMid = true;
    c.send({ cmd: "query", to: w.device.deviceId, mid: "7" });
    expect(await c.next()).toMatchObject({ cmd: "resp", mid: "70" });
    c.send({ cmd: "opt", to: w.device.deviceId, mid: "8", as: { "1": 1 } });
    expect(await c.next()).toMatchObject({ cmd: "post", mid: "80" });
  });

  it("lanNoPosts: a platform control and another client's opt reach no client; the opt's sender still gets its answer", async () => {
    const w = await start();
    const [a, b] = [await w.authed(), await w.authed()];
    await setMode(w, "2");
    expect(await a.next()).toMatchObject({ cmd: "post", as: { "2": 2 } });
    expect(await b.next()).toMatchObject({ cmd: "post", as: { "2": 2 } });
    w.device.misbehaviour.lanNoPosts = true;
    await setMode(w, "4");
    a.send({ cmd: "opt", to: w.device.deviceId, mid: "o", as: { "1": 1 } });
    expect(await a.next()).toMatchObject({ cmd: "post", mid: "o", as: { "1": 1 } });
    b.send({ cmd: "query", to: w.device.deviceId, mid: "q" });
    // No post came before the answer: b hears of neither change.
    expect(await b.next()).toMatchObject({ cmd: "resp", mid: "q", as: { "1": 1, "2": 4 } });
  });
});

describe("hostile input on both LAN ports", () => {
  it("random datagrams and random bytes on control connections never take the device down", async () => {
    const w = await start();
    const datagrams = fc.sample(fc.uint8Array({ maxLength: 300 }), 60);
    const s = await w.searcher();
    for (const datagram of datagrams) s.send(datagram);
    const streams = fc.sample(
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(Buffer.from("\r\n"))), {
        maxLength: 10,
      }),
      6,
    );
    for (const chunks of streams) {
      const c = await w.client();
      for (const chunk of chunks) c.sendRaw(chunk);
    }
    const sealed = await w.authed();
    for (const chunk of fc.sample(fc.string({ maxLength: 100 }), 20)) sealed.sendRaw(`CTS${chunk}\r\n`);
    sealed.sendRaw(`CTS{"data":"${Buffer.alloc(32, 1).toString("base64")}"}\r\n`);
    // Still serving: a search is answered, and a fresh client authenticates and queries.
    s.search("CT-AC-01");
    let answer = decodeSearchResponse(await s.nextRaw());
    while (!answer.ok) answer = decodeSearchResponse(await s.nextRaw());
    expect(answer.value.deviceId).toBe(w.device.deviceId);
    sealed.send({ cmd: "query", to: w.device.deviceId, mid: "still" });
    let reply = await sealed.next();
    while (reply.cmd === "resp" && reply.mid !== "still") reply = await sealed.next();
    expect(reply).toMatchObject({ cmd: "resp", mid: "still", code: 0 });
    const fresh = await w.authed();
    fresh.send({ cmd: "query", to: w.device.deviceId, mid: "1" });
    expect(await fresh.next()).toMatchObject({ cmd: "resp", code: 0 });
  });

  it("answers an unknown cmd 100001 with its mid, and drops a clear frame after auth", async () => {
    const w = await start();
    const c = await w.authed();
    c.sendRaw('CTS{"cmd":"query","to":"x","mid":"1"}\r\n');
    c.send({ cmd: "post", mid: "p", from: "app", as: {} });
    expect(await c.next()).toEqual({ cmd: "resp", code: 100001, mid: "p" });
    expect(w.lan.counters.droppedFrames).toBe(1);
  });

  it(`takes ${LAN_MAX_CLIENTS} clients at once and turns the next away`, async () => {
    const w = await start();
    for (let i = 0; i < LAN_MAX_CLIENTS; i++) await w.client();
    const extra = await w.client();
    await extra.closed;
    expect(w.lan.overflow).toBe(1);
  });

  it("closes a connection that sends a frame past the length limit", async () => {
    const w = await start();
    const c = await w.authed();
    c.sendRaw(Buffer.alloc(LAN_MAX_FRAME_LENGTH + 10, 0x41));
    await c.closed;
    expect(w.lan.counters.closed["frame-too-long"]).toBe(1);
  });
});
