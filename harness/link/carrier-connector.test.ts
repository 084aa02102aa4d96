import { afterEach, describe, expect, it, vi } from "vitest";
import { carrierConnector } from "./carrier-connector.ts";
import { memoryCarrierPair } from "./memory-carrier.ts";

afterEach(() => vi.restoreAllMocks());

describe("a listener that throws drops its link with a process warning, not the process", () => {
  it("carrierConnector: a throwing line listener closes that link; the next link works", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const pair = memoryCarrierPair();
      const connector = carrierConnector(pair.b);
      const link = await connector.open("tcp", "login");
      let closed = false;
      link.onClose(() => {
        closed = true;
      });
      link.onLine(() => {
        throw new Error("listener bug");
      });
      pair.a.send(Buffer.from("CTS{}"));
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(uncaught).toEqual([]);
      expect(closed).toBe(true);
      expect(warn).toHaveBeenCalledWith("hilfarm link listener failed, link dropped: listener bug");
      const next = await connector.open("tcp", "login");
      const lines: string[] = [];
      next.onLine((line) => lines.push(line.toString()));
      pair.a.send(Buffer.from("CTS{}"));
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(lines).toEqual(["CTS{}"]);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
