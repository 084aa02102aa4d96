import { describe, expect, it } from "vitest";
import { CipherKey } from "../protocol/cts/crypto.ts";
import { encodeFrame } from "../protocol/mc/codec.ts";
import type { McMessage } from "../protocol/mc/schemas/index.ts";
import type { EvidenceFrame } from "./evidence-frame.ts";
import { seenFrame } from "./evidence-frame.ts";
import { EvidenceRecorder } from "./recorder.ts";

const token = "0123456789abcdef0123456789abcdef";
const key = CipherKey.fromSessionKey("0123456789abcdef");
const heartbeat = (sequence: string) =>
  ({ code: 1000, body: { sequence, token, time: 1767225600 } }) as unknown as McMessage;

describe("an evidence recorder's raw lines", () => {
  it("keeps each line as it was when recorded, though the reader's buffer is reused, and masks its token when read", () => {
    const sunk: EvidenceFrame[] = [];
    const recorders = [new EvidenceRecorder(), new EvidenceRecorder({ sink: (f) => sunk.push(f) })];
    const lines = ["0001", "0002"].map((s) => encodeFrame(heartbeat(s), { key, token }));
    const shared = Buffer.alloc(1024);
    lines.forEach((line, i) => {
      // One read buffer for every line, as a socket's reader keeps it: the second line overwrites the first.
      line.copy(shared);
      const view = shared.subarray(0, line.length);
      for (const r of recorders)
        r.record(seenFrame("device", "d", "in", heartbeat(`000${i + 1}`), i * 1000), view);
    });
    const expected = lines.map((line) => line.toString("latin1").trimEnd().replace(token, "[redacted]"));
    for (const r of recorders) expect(r.timeline(5_000).frames.map((f) => f.raw)).toEqual(expected);
    // The sink saw every frame whole when it was recorded.
    expect(sunk.map((f) => f.raw)).toEqual(expected);
    expect(JSON.stringify(recorders[0]?.timeline(5_000))).not.toContain(token);
  });
});
