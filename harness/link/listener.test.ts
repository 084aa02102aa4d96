import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { crlfFramer, datagramFramer } from "./framer.ts";
import { type AcceptedLink, type LinkListener, listenLinks } from "./listener.ts";
import { framedConnector, type Link, socketConnector } from "./socket-link.ts";

const open: Array<LinkListener | Link> = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

/** The next value a `listen`-style registration gives. */
function next<T>(register: (listener: (value: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve));
}

const binary = framedConnector({ tcp: crlfFramer(), udp: datagramFramer() });

describe("the listening side of links (a device serving its LAN side)", () => {
  it("accepts a TCP connection and carries CTS lines both ways, cut by the CRLF framer", async () => {
    const listener = await listenLinks("tcp", "127.0.0.1:0", { framer: crlfFramer() });
    open.push(listener);
    expect(listener.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const accepted = next<AcceptedLink>((l) => listener.onLink(l));
    const client = await socketConnector().open("tcp", listener.address);
    open.push(client);
    const served = await accepted;
    expect(served.transport).toBe("tcp");
    const lines: string[] = [];
    const two = new Promise<void>((resolve) =>
      served.onLine((line) => {
        lines.push(line.toString());
        if (lines.length === 2) resolve();
      }),
    );
    // One frame split over two writes, then one more in the same write as its end.
    client.send(Buffer.from('CTS{"code":1,'));
    client.send(Buffer.from('"data":""}\r\nCTS{"code":2,"data":""}\r\n'));
    await two;
    expect(lines).toEqual(['CTS{"code":1,"data":""}', 'CTS{"code":2,"data":""}']);
    const answer = next<Buffer>((l) => client.onLine(l));
    served.send(Buffer.from("CTS{}\r\n"));
    expect((await answer).toString()).toBe("CTS{}");
    const closed = next<void>((l) => served.onClose(l));
    client.close();
    await closed;
  });

  it("reports an over-long frame as FRAME_TOO_LONG and keeps reading", async () => {
    const listener = await listenLinks("tcp", "127.0.0.1:0", { framer: crlfFramer(16) });
    open.push(listener);
    const accepted = next<AcceptedLink>((l) => listener.onLink(l));
    const client = await socketConnector().open("tcp", listener.address);
    open.push(client);
    const served = await accepted;
    const bad = next<{ code: string }>((l) => served.onBadFrame(l));
    const good = next<Buffer>((l) => served.onLine(l));
    client.send(Buffer.from(`CTS${"x".repeat(40)}\r\nCTS{}\r\n`));
    expect((await bad).code).toBe("FRAME_TOO_LONG");
    expect((await good).toString()).toBe("CTS{}");
  });

  it("gives each UDP peer its own link carrying whole binary datagrams, and answers it at its address", async () => {
    const listener = await listenLinks("udp", "127.0.0.1:0", { framer: datagramFramer() });
    open.push(listener);
    const links: AcceptedLink[] = [];
    const datagrams: string[] = [];
    listener.onLink((link) => {
      links.push(link);
      link.onLine((datagram) => {
        datagrams.push(`${link.remote}=${datagram.toString("hex")}`);
        link.send(Buffer.concat([Buffer.from([0xff]), datagram]));
      });
    });
    const a = await binary.open("udp", listener.address);
    const b = await binary.open("udp", listener.address);
    open.push(a, b);
    const answerA = next<Buffer>((l) => a.onLine(l));
    a.send(Buffer.from([0x00, 0x01, 0x0d, 0x0a]));
    // Binary: a trailing CRLF is part of the message, not a terminator.
    expect((await answerA).toString("hex")).toBe("ff00010d0a");
    const answerB = next<Buffer>((l) => b.onLine(l));
    b.send(Buffer.from([0x02]));
    expect((await answerB).toString("hex")).toBe("ff02");
    expect(links).toHaveLength(2);
    expect(new Set(links.map((l) => l.remote)).size).toBe(2);
    expect(datagrams).toHaveLength(2);
  });

  it("turns away links beyond maxLinks: a connection is closed, a new peer's datagrams dropped, and counts them", async () => {
    const tcp = await listenLinks("tcp", "127.0.0.1:0", { framer: crlfFramer(), maxLinks: 1 });
    const udp = await listenLinks("udp", "127.0.0.1:0", { framer: datagramFramer(), maxLinks: 1 });
    open.push(tcp, udp);
    const accepted = next<AcceptedLink>((l) => tcp.onLink(l));
    const first = await socketConnector().open("tcp", tcp.address);
    open.push(first);
    await accepted;
    const second = await socketConnector().open("tcp", tcp.address);
    await next<void>((l) => second.onClose(l));
    expect(tcp.refused).toBe(1);

    const seen: string[] = [];
    let secondSeen: () => void = () => undefined;
    const twoSeen = new Promise<void>((resolve) => {
      secondSeen = resolve;
    });
    udp.onLink((link) =>
      link.onLine(() => {
        seen.push(link.remote);
        if (seen.length === 2) secondSeen();
      }),
    );
    const a = await binary.open("udp", udp.address);
    const b = await binary.open("udp", udp.address);
    open.push(a, b);
    a.send(Buffer.from([1]));
    b.send(Buffer.from([2]));
    a.send(Buffer.from([3]));
    // Datagrams on loopback arrive in order: once a's second is seen, b's has been handled (and dropped).
    await twoSeen;
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(1);
    expect(udp.refused).toBe(1);
  });

  it("survives a listener that throws: that link is dropped, the next one is served", async () => {
    const listener = await listenLinks("tcp", "127.0.0.1:0", { framer: crlfFramer() });
    open.push(listener);
    let calls = 0;
    listener.onLink((link) => {
      calls++;
      if (calls === 1) throw new Error("planted");
      link.onLine((line) => link.send(Buffer.concat([line, Buffer.from("\r\n")])));
    });
    const warned = once(process, "warning");
    const dropped = await socketConnector().open("tcp", listener.address);
    await next<void>((l) => dropped.onClose(l));
    expect(String((await warned)[0])).toContain("planted");
    const served = await socketConnector().open("tcp", listener.address);
    open.push(served);
    const echo = next<Buffer>((l) => served.onLine(l));
    served.send(Buffer.from("CTS{}\r\n"));
    expect((await echo).toString()).toBe("CTS{}");
  });

  it("refuses an address that is not host:port, naming it", async () => {
    await expect(listenLinks("tcp", "127.0.0.1", { framer: crlfFramer() })).rejects.toMatchObject({
      code: "USAGE",
      message: 'not a host:port address: "127.0.0.1"',
    });
  });
});
