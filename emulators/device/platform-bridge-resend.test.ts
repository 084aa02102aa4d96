import { describe, expect, it } from "vitest";
import { memoryCarrierPair } from "../../harness/link/memory-carrier.ts";
import { PlatformBridge } from "../../harness/link/platform-bridge.ts";
import type { Connector, Link } from "../../harness/link/socket-link.ts";
import { formatEnvelope } from "../../harness/protocol/cts/envelope.ts";
import { silent } from "../testing/world.ts";

/** A connector whose links record what is sent on them and whether they were closed. */
function recordingConnector() {
  const opened: Array<{ transport: string; address: string; sent: string[]; closed: boolean }> = [];
  const answerers: Array<(line: Buffer) => void> = [];
  const connector: Connector = {
    open: async (transport, address) => {
      const record = { transport, address, sent: [] as string[], closed: false };
      opened.push(record);
      const link: Link = {
        transport,
        send: (frame) => record.sent.push(frame.toString().trimEnd()),
        close: () => {
          record.closed = true;
        },
        onLine: (listener) => answerers.push(listener),
        onBadFrame: () => undefined,
        onClose: () => undefined,
      };
      return link;
    },
  };
  /** The platform answers `line` on the `index`th link opened. */
  const answer = (index: number, line: string) => answerers[index]?.(Buffer.from(line));
  return { connector, opened, answer };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const login = (data: string) => formatEnvelope({ code: 1002, deviceId: "0000111122223333aaaabbbb", data });
const connect = (data: string) => formatEnvelope({ code: 1004, token: "t0k", data });
const connected = (data: string) => formatEnvelope({ code: 1005, data });
const heartbeat = (data: string) => formatEnvelope({ code: 1000, token: "t0k", data });

describe("platform bridge: a resent 1002 or 1004 stays on its login or session", () => {
  it("a 1004 sent again byte for byte (the device's resend after 10 s) goes on the open session", async () => {
    const pair = memoryCarrierPair();
    const { connector, opened, answer } = recordingConnector();
    const received: string[] = [];
    pair.a.onLine((line) => received.push(line.toString()));
    const bridge = new PlatformBridge(pair.b, {
      platform: { login: "127.0.0.1:1", tcp: "127.0.0.1:2", udp: "127.0.0.1:3" },
      transport: "tcp",
      connector,
      logger: silent,
    });
    pair.a.send(Buffer.from(connect("AAAA")));
    await flush();
    pair.a.send(Buffer.from(connect("AAAA")));
    await flush();
    expect(opened).toEqual([
      { transport: "tcp", address: "127.0.0.1:2", sent: [connect("AAAA"), connect("AAAA")], closed: false },
    ]);
    expect(bridge.counters).toMatchObject({ sessions: 1, resent: 1 });
    // A new 1004 (another sequence, so other bytes) opens a new session beside the old one, which ends only once
    // the platform answers on the new one: the bridge cannot tell the device's 1004 from one that only looks like it.
    pair.a.send(Buffer.from(connect("BBBB")));
    await flush();
    expect(opened.map((o) => o.closed)).toEqual([false, false]);
    // A third ends the second, still unanswered; the open session stays.
    pair.a.send(Buffer.from(connect("CCCC")));
    await flush();
    expect(opened.map((o) => o.closed)).toEqual([false, true, false]);
    // Its resend goes on it; frames go on the open session until the platform answers the new one.
    pair.a.send(Buffer.from(connect("CCCC")));
    pair.a.send(Buffer.from(heartbeat("DDDD")));
    await flush();
    expect(opened[2]?.sent).toEqual([connect("CCCC"), connect("CCCC")]);
    expect(opened[0]?.sent.at(-1)).toBe(heartbeat("DDDD"));
    answer(2, connected("EEEE"));
    await flush();
    expect(opened.map((o) => o.closed)).toEqual([true, true, false]);
    expect(received).toEqual([connected("EEEE")]);
    pair.a.send(Buffer.from(heartbeat("FFFF")));
    await flush();
    expect(opened[2]?.sent.at(-1)).toBe(heartbeat("FFFF"));
    expect(bridge.counters).toMatchObject({ sessions: 3, resent: 2 });
  });

  it("a 1002 resent while its login is still connecting goes on that login", async () => {
    const pair = memoryCarrierPair();
    const { connector, opened } = recordingConnector();
    const bridge = new PlatformBridge(pair.b, {
      platform: { login: "127.0.0.1:1", tcp: "127.0.0.1:2", udp: "127.0.0.1:3" },
      transport: "udp",
      connector,
      logger: silent,
    });
    pair.a.send(Buffer.from(login("AAAA")));
    pair.a.send(Buffer.from(login("AAAA")));
    await flush();
    expect(opened).toEqual([
      { transport: "tcp", address: "127.0.0.1:1", sent: [login("AAAA"), login("AAAA")], closed: false },
    ]);
    expect(bridge.counters).toMatchObject({ logins: 1, resent: 1 });
  });
});
