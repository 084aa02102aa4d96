import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import type { Connector, Link } from "../../harness/link/socket-link.ts";
import { chooseTransport, openWithin } from "./connect.ts";
import { defaultDeviceTiming } from "./options.ts";

describe("connect (5.4.2.2)", () => {
  it("UDP until the third login since power-on, then TCP; a forced transport is kept", () => {
    const pick = (n: number) => chooseTransport(undefined, n, defaultDeviceTiming);
    expect([1, 2, 3, 4].map(pick)).toEqual(["udp", "udp", "tcp", "tcp"]);
    expect(chooseTransport("tcp", 1, defaultDeviceTiming)).toBe("tcp");
    expect(chooseTransport("udp", 5, defaultDeviceTiming)).toBe("udp");
  });

  it("gives up opening a link after the response timeout, and closes one that opens too late", async () => {
    const clock = new VirtualClock();
    let open: ((link: Link) => void) | undefined;
    let closed = false;
    const connector: Connector = { open: () => new Promise((resolve) => (open = resolve)) };
    const opening = openWithin(connector, clock, "tcp", "10.0.0.1:1", 10_000);
    clock.advance(10_000);
    await expect(opening).rejects.toThrow("no tcp connection to 10.0.0.1:1 within 10000 ms");
    open?.({
      transport: "tcp",
      send: () => undefined,
      close: () => {
        closed = true;
      },
      onLine: () => undefined,
      onBadFrame: () => undefined,
      onClose: () => undefined,
    });
    await Promise.resolve();
    expect(closed).toBe(true);
  });
});
