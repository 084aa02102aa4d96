import { describe, expect, it } from "vitest";
import { memoryCarrierPair } from "../../harness/link/memory-carrier.ts";
import { PlatformBridge } from "../../harness/link/platform-bridge.ts";
import type { Connector, Link } from "../../harness/link/socket-link.ts";
import { formatEnvelope } from "../../harness/protocol/cts/envelope.ts";
import { silent } from "../testing/world.ts";

/** A connector whose links record what is sent on them and whether they were closed. */
function recordingConnector() {
  const opened: Array<{ transport: string; address: string; sent: string[]; closed: boolean }> = [];
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
        onLine: () => undefined,
        onBadFrame: () => undefined,
        onClose: () => undefined,
      };
      return link;
    },
  };
  return { connector, opened };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const login = (data: string) => formatEnvelope({ code: 1002, deviceId: "0000111122223333aaaabbbb", data });
const connect = (data: string) => formatEnvelope({ code: 1004, token: "t0k", data });

describe("platform bridge: a resent 1002 or 1004 stays on its login or session", () => {
  it("a 1004 sent again byte for byte (the device's resend after 10 s) goes on the open session", async () => {
    const pair = memoryCarrierPair();
    const { connector, opened } = recordingConnector();
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
    // A new 1004 (another sequence, so other bytes) is a new session: the old one ends.
    pair.a.send(Buffer.from(connect("BBBB")));
    await flush();
    expect(opened.map((o) => o.closed)).toEqual([true, false]);
    expect(bridge.counters).toMatchObject({ sessions: 2, resent: 1 });
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
