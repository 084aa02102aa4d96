import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { Answer, RequestsToPlatform } from "./requests-to-platform.ts";

export interface SpeakOptions {
  segmentBytes?: number;
  format?: "pcm" | "speex" | "amr";
  rate?: 8000 | 16000;
}

/** A 3002's `ctrlParam`: one segment of an utterance. */
export interface VoiceSegment {
  format: "pcm" | "speex" | "amr";
  rate: 8000 | 16000;
  channel: number;
  voiceId: string;
  sn: number;
  isLast: "0" | "1";
  audioData: string;
}

/**
 * 5.4.3.17: an utterance's bytes in segments of `segmentBytes` (1024 unless given), all of one `voiceId`, `sn`
 * from 1, `isLast` "1" on the last. Empty audio is one empty segment.
 */
export function voiceSegments(
  audio: Buffer | string,
  voiceId: string,
  options: SpeakOptions,
): VoiceSegment[] {
  const bytes = typeof audio === "string" ? Buffer.from(audio, "utf8") : audio;
  const size = Math.max(1, options.segmentBytes ?? 1024);
  const count = Math.max(1, Math.ceil(bytes.length / size));
  return Array.from({ length: count }, (_, i) => ({
    format: options.format ?? "amr",
    rate: options.rate ?? 16000,
    channel: 1,
    voiceId,
    sn: i + 1,
    isLast: i + 1 === count ? "1" : "0",
    audioData: bytes.subarray(i * size, (i + 1) * size).toString("base64"),
  }));
}

/**
 * Sends the segments one after another, each once the one before is answered: the platform answers 400002 until
 * the last. All share one sequence, the first taking the next. Resolves with the answer to the last, or with the
 * first other answer before it.
 */
export async function sendVoiceSegments(
  requests: Pick<RequestsToPlatform, "send">,
  deviceId: string,
  segments: readonly VoiceSegment[],
): Promise<Answer> {
  let answer: Answer = { result: McResult.Success };
  for (const ctrlParam of segments) {
    const last = ctrlParam.isLast === "1";
    const take = ctrlParam.sn === 1 ? "next" : "same";
    // A late 400002 for an earlier segment (same sequence, no sn in 3003) must not settle the last one.
    const options = last ? { answers: (body: Answer) => body.result !== McResult.AwaitingVoiceData } : {};
    answer = await requests.send(3002, { deviceId, ctrlParam }, take, options);
    if (!last && answer.result !== McResult.AwaitingVoiceData) return answer;
  }
  return answer;
}
