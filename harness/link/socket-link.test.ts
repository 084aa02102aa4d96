import { createSocket } from "node:dgram";
import { type AddressInfo, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { socketConnector } from "./socket-link.ts";

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
  it("binds each transport's sockets to its own source address, and leaves the other to the system", async () => {
    const udpOnly = await peers();
    const connector = socketConnector(undefined, { udp: "127.0.0.2" });
    const tcp = await connector.open("tcp", udpOnly.tcp);
    const udp = await connector.open("udp", udpOnly.udp);
    udp.send(Buffer.from("x"));
    expect(await udpOnly.tcpFrom).toBe("127.0.0.1");
    expect(await udpOnly.udpFrom).toBe("127.0.0.2");
    tcp.close();
    udp.close();

    const both = await peers();
    const bound = socketConnector(undefined, { tcp: "127.0.0.3", udp: "127.0.0.4" });
    const tcp2 = await bound.open("tcp", both.tcp);
    const udp2 = await bound.open("udp", both.udp);
    udp2.send(Buffer.from("x"));
    expect(await both.tcpFrom).toBe("127.0.0.3");
    expect(await both.udpFrom).toBe("127.0.0.4");
    tcp2.close();
    udp2.close();
  });
});
