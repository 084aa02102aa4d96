import { describe, expect, it } from "vitest";
import type { SequenceTake } from "../../harness/protocol/mc/requester.ts";
import type { Answer } from "./requests-to-platform.ts";
import { sendVoiceSegments, voiceSegments } from "./voice-control.ts";

describe("voice control (5.4.3.17)", () => {
  it("splits an utterance into segments of one voiceId, sn from 1, isLast on the last", () => {
    const segments = voiceSegments("hello world", "v1", { segmentBytes: 4 });
    expect(segments.map((s) => [s.sn, s.isLast, Buffer.from(s.audioData, "base64").toString()])).toEqual([
      [1, "0", "hell"],
      [2, "0", "o wo"],
      [3, "1", "rld"],
    ]);
    expect(new Set(segments.map((s) => s.voiceId))).toEqual(new Set(["v1"]));
    expect(voiceSegments("", "v2", {})).toMatchObject([{ sn: 1, isLast: "1", audioData: "" }]);
  });

  it("sends each segment after the 400002 to the one before, all under one sequence", async () => {
    const sends: Array<[number, SequenceTake, boolean]> = [];
    const answers: Answer[] = [{ result: 400002 }, { result: 400002 }, { result: 0, text: "on" }];
    const requests = {
      send: async (_code: number, fields: Record<string, unknown>, take: SequenceTake, options = {}) => {
        sends.push([(fields.ctrlParam as { sn: number }).sn, take, "answers" in options]);
        return answers.shift() ?? { result: 0 };
      },
    };
    const segments = voiceSegments("abc", "v1", { segmentBytes: 1 });
    expect(await sendVoiceSegments(requests, "d1", segments)).toEqual({ result: 0, text: "on" });
    expect(sends).toEqual([
      [1, "next", false],
      [2, "same", false],
      [3, "same", true],
    ]);
  });

  it("an answer other than 400002 before the last ends the utterance", async () => {
    const requests = { send: async () => ({ result: 400005 }) };
    const segments = voiceSegments("abc", "v1", { segmentBytes: 1 });
    expect(await sendVoiceSegments(requests, "d1", segments)).toEqual({ result: 400005 });
  });
});
