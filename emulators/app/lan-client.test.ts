import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { crlfFramer, datagramFramer } from "../../harness/link/framer.ts";
import { type LinkListener, listenLinks } from "../../harness/link/listener.ts";
import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { decodeSearchRequest, encodeSearchResponse } from "../../harness/protocol/md/discovery.ts";
import { decodeLanFrame, encodeLanFrame } from "../../harness/protocol/md/lan-frame.ts";
import { lanCipherKey, lanKeyFor, lanKeyMatches } from "../../harness/protocol/md/lan-key.ts";
import type { LanMessage } from "../../harness/protocol/md/messages.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { LanAnswerError, LanClient } from "./lan-client.ts";
import { discoverDevices } from "./lan-discovery.ts";
import { newLanRand } from "./platform-lan-key.ts";

const PIN = "0123456789abcdefghijklmnopqrstuv";
const open: LinkListener[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

/** A device's LAN side reduced to what the client needs, written with the codec alone. */
async function fakeDevice(behaviour: { wrongMid?: boolean; silent?: boolean } = {}) {
  const control = await listenLinks("tcp", "127.0.0.1:0", { framer: crlfFramer() });
  open.push(control);
  const as: Record<string, number | string> = { "1": 0, "2": 3 };
  control.onLink((link) => {
    let key: CipherKey | undefined;
    const reply = (message: LanMessage) => link.send(encodeLanFrame(message, key));
    link.onLine((line) => {
      const decoded = decodeLanFrame(line, key);
      if (!decoded.ok || behaviour.silent === true) return;
      const m = decoded.value;
      if (m.cmd === "auth") {
        const good = lanKeyMatches(m.rand, m.lanKey, PIN);
        reply({ cmd: "resp", code: good ? 0 : 200003 });
        if (good) key = lanCipherKey(m.lanKey);
        else link.close();
      } else if (m.cmd === "query") reply({ cmd: "resp", mid: m.mid, code: 0, as, asc: { "2": 1 } });
      else if (m.cmd === "opt") {
        if ("2" in m.as) return reply({ cmd: "resp", mid: m.mid, code: 300002 });
        Object.assign(as, m.as);
        reply({ cmd: "post", mid: behaviour.wrongMid === true ? "999" : m.mid, from: "D1", as: m.as });
        reply({ cmd: "post", from: "D1", as: { "1": m.as["1"] ?? 0 } });
      }
    });
  });
  return control.address;
}

describe("the LAN app client (6.2.2-6.2.5)", () => {
  it("authenticates with a lanKey, queries, controls by mid, and hands spontaneous posts to onPost", async () => {
    const address = await fakeDevice();
    const client = await LanClient.connect(address, { deviceId: "D1" });
    const rand = newLanRand(seededRandom(1));
    expect(rand).toMatch(/^[1-9]\d{15}$/);
    expect(await client.authenticate({ rand, lanKey: lanKeyFor(rand, PIN), liveTime: 300 })).toEqual({
      cmd: "resp",
      code: 0,
    });
    expect(client.authenticated).toBe(true);
    expect(await client.query()).toMatchObject({
      cmd: "resp",
      code: 0,
      as: { "1": 0, "2": 3 },
      asc: { "2": 1 },
    });
    const posted = new Promise((resolve) => client.onPost(resolve));
    const answer = await client.control({ "1": 1 });
    expect(answer).toMatchObject({ cmd: "post", as: { "1": 1 } });
    expect(answer.mid).toMatch(/^\d+$/);
    expect(await posted).toMatchObject({ cmd: "post", from: "D1", as: { "1": 1 } });
    expect(await client.control({ "2": 1 })).toMatchObject({ cmd: "resp", code: 300002 });
    await client.close();
  });

  it("is refused with a wrong lanKey, and the device's close ends what waits", async () => {
    const address = await fakeDevice();
    const client = await LanClient.connect(address, { deviceId: "D1" });
    const rand = "1234567890123456";
    const resp = await client.authenticate({
      rand,
      lanKey: lanKeyFor("6543210987654321", PIN),
      liveTime: 300,
    });
    expect(resp).toEqual({ cmd: "resp", code: 200003 });
    expect(client.authenticated).toBe(false);
    await client.closed;
    await expect(client.query()).rejects.toMatchObject({ code: "LAN_CLOSED" });
  });

  it("does not take a post with another mid as the answer: the request times out on the clock", async () => {
    const address = await fakeDevice({ wrongMid: true });
    const clock = new VirtualClock();
    const client = await LanClient.connect(address, { deviceId: "D1", clock, timeoutMs: 5000 });
    const rand = "1234567890123456";
    await client.authenticate({ rand, lanKey: lanKeyFor(rand, PIN), liveTime: 300 }).catch(() => undefined);
    // The authentication itself waits on the same clock: answered before any time passes.
    const strays: unknown[] = [];
    client.onPost((p) => strays.push(p));
    const control = client.control({ "1": 1 });
    const failed = control.catch((e: unknown) => e);
    while (strays.length < 2) await new Promise((r) => setImmediate(r));
    clock.advance(5000);
    const error = await failed;
    expect(error).toBeInstanceOf(LanAnswerError);
    expect(error).toMatchObject({ code: "LAN_TIMEOUT" });
    expect(strays).toHaveLength(2);
    await client.close();
  });
});

describe("LAN discovery (6.2.1)", () => {
  it("asks each target by unicast, decodes answers, and reports malformed ones with their reason", async () => {
    const good = await listenLinks("udp", "127.0.0.1:0", { framer: datagramFramer() });
    const bad = await listenLinks("udp", "127.0.0.1:0", { framer: datagramFramer() });
    open.push(good, bad);
    const searches: string[] = [];
    good.onLink((link) =>
      link.onLine((datagram) => {
        const search = decodeSearchRequest(datagram);
        if (!search.ok) return;
        searches.push(search.value.model);
        link.send(
          encodeSearchResponse({
            code: 0,
            deviceId: "D1",
            mac: "02:00:00:00:00:01",
            model: "CT-AC-01",
            protocol: 0,
            lanControl: 1,
            onConfig: 1,
            bindKey: 42n,
          }),
        );
      }),
    );
    bad.onLink((link) => link.onLine(() => link.send(Buffer.from([0, 0, 9, 0x41]))));
    const clock = new VirtualClock();
    const result = discoverDevices({
      targets: [good.address, bad.address],
      model: "CT-AC-01",
      timeoutMs: 1000,
      clock,
    });
    while (searches.length === 0) await new Promise((r) => setImmediate(r));
    // Both answers are in once the good device has answered and the bad one had the same time.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    clock.advance(1000);
    const { found, bad: malformed } = await result;
    expect(searches).toEqual(["CT-AC-01"]);
    expect(found).toEqual([
      expect.objectContaining({
        deviceId: "D1",
        model: "CT-AC-01",
        onConfig: 1,
        bindKey: 42n,
        address: good.address,
      }),
    ]);
    expect(malformed).toEqual([expect.objectContaining({ address: bad.address, code: "TRUNCATED" })]);
  });

  it("waits the timeout, on the clock, for a target that stays silent", async () => {
    const silent = await listenLinks("udp", "127.0.0.1:0", { framer: datagramFramer() });
    open.push(silent);
    const asked = new Promise<void>((resolve) => silent.onLink(() => resolve()));
    const clock = new VirtualClock();
    const result = discoverDevices({ targets: [silent.address], timeoutMs: 1000, clock });
    await asked;
    clock.advance(1000);
    expect(await result).toEqual({ found: [], bad: [] });
  });
});
