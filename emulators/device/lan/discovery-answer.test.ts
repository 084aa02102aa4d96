import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSearchResponse, encodeSearchRequest } from "../../../harness/protocol/md/discovery.ts";
import { answerSearch, type DiscoverySelf } from "./discovery-answer.ts";

const self: DiscoverySelf = {
  deviceId: "00000000000000000000ac01",
  model: "CT-AC-01",
  mac: "02:11:22:33:44:55",
  lanControl: 1,
  onConfig: 1,
  bindKey: 0x0102030405060708n,
};
const search = (model: string) => encodeSearchRequest({ model, timestamp: 1_700_000_000, platform: 0 });

describe("6.2.1 discovery answers, without a socket", () => {
  it("answers a search for its model and one for every model; stays silent for another", () => {
    for (const model of ["CT-AC-01", ""]) {
      const decision = answerSearch(search(model), self);
      expect(decision.kind).toBe("answer");
      if (decision.kind === "answer")
        expect(decodeSearchResponse(decision.bytes)).toEqual({
          ok: true,
          value: { code: 0, protocol: 0, ...self },
        });
    }
    expect(answerSearch(search("LOCK-01"), self)).toEqual({ kind: "silent" });
    expect(answerSearch(search("ct-ac-01"), self)).toEqual({ kind: "silent" });
  });

  it("sends bindKey 0 outside the onConfig window, and the flags in the order asked", () => {
    const decision = answerSearch(search(""), { ...self, onConfig: 0 }, { flagOrder: "field-table" });
    if (decision.kind !== "answer") throw new Error("no answer");
    expect(decodeSearchResponse(decision.bytes, "field-table")).toMatchObject({
      ok: true,
      value: { onConfig: 0, bindKey: 0n, lanControl: 1 },
    });
  });

  it("lanWrongLength: deviceIdLength is one more, so the struct no longer reads", () => {
    const good = answerSearch(search(""), self);
    const bad = answerSearch(search(""), self, { wrongLength: true });
    if (good.kind !== "answer" || bad.kind !== "answer") throw new Error("no answer");
    expect(bad.bytes[2]).toBe((good.bytes[2] ?? 0) + 1);
    expect(decodeSearchResponse(bad.bytes).ok).toBe(false);
  });

  it("calls every datagram that is no data_search malformed, and never throws", () => {
    expect(answerSearch(Buffer.from([5, 0x41]), self)).toMatchObject({
      kind: "malformed",
      error: { code: "TRUNCATED" },
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(["answer", "silent", "malformed"]).toContain(answerSearch(bytes, self).kind);
      }),
    );
  });
});
