import { describe, expect, it } from "vitest";
import { hostPort, ipFirstLookup, isIPv6Literal, udpSocketType } from "./address.ts";

describe("addresses", () => {
  it("brackets IPv6 literals only, and picks the UDP socket type by the host's family", () => {
    expect(hostPort("127.0.0.1", 5683)).toBe("127.0.0.1:5683");
    expect(hostPort("::1", 5683)).toBe("[::1]:5683");
    expect(hostPort("::ffff:127.0.0.1", 1)).toBe("[::ffff:127.0.0.1]:1");
    expect(hostPort("localhost", 80)).toBe("localhost:80");
    expect(udpSocketType("10.0.0.7")).toBe("udp4");
    expect(udpSocketType("fe80::1")).toBe("udp6");
    expect(udpSocketType("gateway.local")).toBe("udp4");
    expect(isIPv6Literal("1.2.3.4")).toBe(false);
    expect(isIPv6Literal("2001:db8::8")).toBe(true);
  });
});

describe("ipFirstLookup", () => {
  it("answers an IP address within the call, with its family", () => {
    const answers: unknown[][] = [];
    ipFirstLookup("127.0.0.1", { family: 4 }, (...answer) => answers.push(answer));
    ipFirstLookup("::1", { family: 6 }, (...answer) => answers.push(answer));
    expect(answers).toEqual([
      [null, "127.0.0.1", 4],
      [null, "::1", 6],
    ]);
  });

  it("sends a name to dns.lookup, which answers later", async () => {
    let called = false;
    const answer = new Promise<unknown[]>((resolve) => {
      ipFirstLookup("localhost", { family: 4 }, (...args) => {
        called = true;
        resolve(args);
      });
    });
    expect(called).toBe(false);
    expect(await answer).toEqual([null, "127.0.0.1", 4]);
  });
});
