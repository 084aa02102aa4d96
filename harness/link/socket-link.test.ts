import { createSocket } from "node:dgram";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hiddenClassesAmong } from "../testing/hidden-class.ts";
import { socketConnector, tcpConnectOptions } from "./socket-link.ts";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A TCP listener and a UDP socket on 127.0.0.1, port 0, each resolving with the source address of what reaches it. */
async function peers(): Promise<{
  tcp: string;
  udp: string;
  tcpFrom: Promise<string>;
  udpFrom: Promise<string>;
}> {
  let tcpFrom: (address: string) => void = () => undefined;
  let udpFrom: (address: string) => void = () => undefined;
  const server = createServer((socket) => {
    tcpFrom(socket.remoteAddress ?? "");
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const datagrams = createSocket("udp4");
  datagrams.on("message", (_message, remote) => udpFrom(remote.address));
  await new Promise<void>((resolve) => datagrams.bind(0, "127.0.0.1", resolve));
  closers.push(
    () => server.close(),
    () => datagrams.close(),
  );
  return {
    tcp: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    udp: `127.0.0.1:${datagrams.address().port}`,
    tcpFrom: new Promise((resolve) => {
      tcpFrom = resolve;
    }),
    udpFrom: new Promise((resolve) => {
      udpFrom = resolve;
    }),
  };
}

describe("socket connector source addresses", () => {
  it.each([
    { source: { udp: "127.0.0.2" }, tcpFrom: "127.0.0.1", udpFrom: "127.0.0.2" },
    { source: { tcp: "127.0.0.3", udp: "127.0.0.4" }, tcpFrom: "127.0.0.3", udpFrom: "127.0.0.4" },
  ])(
    "binds each transport's sockets to its own source address, or leaves it to the system: $source",
    async ({ source, tcpFrom, udpFrom }) => {
      const peer = await peers();
      const connector = socketConnector(undefined, source);
      const tcp = await connector.open("tcp", peer.tcp);
      const udp = await connector.open("udp", peer.udp);
      udp.send(Buffer.from("x"));
      expect(await peer.tcpFrom).toBe(tcpFrom);
      expect(await peer.udpFrom).toBe(udpFrom);
      tcp.close();
      udp.close();
    },
  );
});

describe("a UDP link whose bind fails", () => {
  it("rejects with the socket's error code and leaves no socket open", async () => {
    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;
    const before = udpSockets();
    // 192.0.2.1 (TEST-NET-1) is not this machine's: the bind fails with EADDRNOTAVAIL.
    const connector = socketConnector(undefined, { udp: "192.0.2.1" });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        connector.open("udp", "127.0.0.1:9").then(
          () => "opened",
          (error: NodeJS.ErrnoException) => error.code,
        ),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(["EADDRNOTAVAIL"]));
    await vi.waitUntil(() => udpSockets() <= before, { timeout: 5_000 });
  });
});

describe("a link whose listener throws", () => {
  it.each(["tcp", "udp"] as const)(
    "%s: the process goes on, a warning names the failure, and the link closes",
    async (transport) => {
      // A peer that sends one frame to whoever reaches it.
      const server = createServer((socket) => socket.end("line\r\n"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const datagrams = createSocket("udp4");
      datagrams.on("message", (_m, remote) => datagrams.send("line\r\n", remote.port, remote.address));
      await new Promise<void>((resolve) => datagrams.bind(0, "127.0.0.1", resolve));
      closers.push(
        () => server.close(),
        () => datagrams.close(),
      );
      const address = `127.0.0.1:${transport === "tcp" ? (server.address() as AddressInfo).port : datagrams.address().port}`;
      const warnings: string[] = [];
      const warn = vi.spyOn(process, "emitWarning").mockImplementation((warning) => {
        warnings.push(String(warning));
      });
      const link = await socketConnector().open(transport, address);
      const closed = new Promise<void>((resolve) => link.onClose(resolve));
      link.onLine(() => {
        throw new Error("listener broke");
      });
      link.send(Buffer.from("hello\r\n"));
      await closed;
      warn.mockRestore();
      expect(warnings).toEqual(["hilfarm link listener failed, link dropped: listener broke"]);
    },
  );
});

describe("TCP links reading into one shared buffer", () => {
  it("a frame split over two reads arrives whole though every read, this link's or another's, refills the buffer", async () => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [a, b] = await Promise.all([
      socketConnector().open("tcp", address),
      socketConnector().open("tcp", address),
    ]);
    closers.push(
      () => server.close(),
      () => a?.close(),
      () => b?.close(),
      () => {
        for (const socket of accepted) socket.destroy();
      },
    );
    await vi.waitUntil(() => accepted.length === 2);
    const lines: string[] = [];
    a?.onLine((line) => lines.push(`a ${line.toString("latin1")}`));
    b?.onLine((line) => lines.push(`b ${line.toString("latin1")}`));
    const [toA, toB] = accepted;
    // The first half reaches A; B's whole line and then A's second half are read after it, each into the same buffer.
    toA?.write('CTS{"code":1001,"data":"first-');
    await new Promise((resolve) => setImmediate(resolve));
    toB?.write('CTS{"code":1001,"data":"other"}\r\n');
    await vi.waitUntil(() => lines.length === 1);
    toA?.write('half"}\r\n');
    await vi.waitUntil(() => lines.length === 2);
    expect(lines).toEqual(['b CTS{"code":1001,"data":"other"}', 'a CTS{"code":1001,"data":"first-half"}']);
  });
});

describe("a TCP link's socket options", () => {
  /** What Node 20's `net.Socket` does with its options first (lib/net.js): a copy, and four fields set on it. */
  const nodeCopy = (options: object) => {
    const copy: Record<string, unknown> = { ...options };
    copy.allowHalfOpen = Boolean(copy.allowHalfOpen);
    copy.emitClose = false;
    copy.autoDestroy = true;
    copy.decodeStrings = false;
    return copy;
  };
  const onread = { buffer: Buffer.alloc(16), callback: () => true };

  it("give Node's copies of them a few hidden classes however many links open (V8 made four per connection)", () => {
    const links = 500;
    const copies = Array.from({ length: links }, (_, i) =>
      nodeCopy(tcpConnectOptions("127.0.0.1", 1024 + i, onread, i % 2 === 0 ? undefined : "127.0.0.2")),
    );
    // Without Node's four fields in the options, almost every copy took classes of its own: 493 of 500.
    expect(hiddenClassesAmong(copies)).toBeLessThanOrEqual(4);
  });

  it("hold the values Node sets, so its socket is made as without them", () => {
    const options = tcpConnectOptions("127.0.0.1", 1024, onread);
    expect(nodeCopy(options)).toEqual({ ...options });
    expect(options).toMatchObject({ host: "127.0.0.1", port: 1024, noDelay: true, onread });
    expect(options).not.toHaveProperty("localAddress");
  });
});

describe("UDP links", () => {
  it.each(["127.0.0.1", "localhost"])("to %s: a frame goes out and its answer comes back", async (host) => {
    // A peer that answers each datagram to where it came from.
    const datagrams = createSocket("udp4");
    datagrams.on("message", (message, remote) => datagrams.send(message, remote.port, remote.address));
    await new Promise<void>((resolve) => datagrams.bind(0, "127.0.0.1", resolve));
    closers.push(() => datagrams.close());
    const link = await socketConnector().open("udp", `${host}:${datagrams.address().port}`);
    closers.push(() => link.close());
    const line = new Promise<Buffer>((resolve) => link.onLine(resolve));
    link.send(Buffer.from('CTS{"code":1000}\r\n'));
    expect((await line).toString()).toBe('CTS{"code":1000}');
  });
});
