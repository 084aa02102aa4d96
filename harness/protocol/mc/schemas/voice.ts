import { z } from "zod";
import { DeviceId, Flag, responseFields, Sequence, UnixTime } from "./common.ts";

const AudioFormat = z.enum(["pcm", "speex", "amr"]);
const SampleRate = z.union([z.literal(8000), z.literal(16000)]);
const Percent = z.number().int().min(0).max(100);

/** 5.4.3.18: text in, audio (Base64) out. */
export const SpeechSynthesisRequest = z.looseObject({
  sequence: Sequence,
  deviceId: DeviceId,
  ttsParam: z.looseObject({
    content: z.string().min(1),
    anchor: z.string().optional(),
    speed: Percent.optional(),
    volume: Percent.optional(),
    pitch: Percent.optional(),
    format: AudioFormat.optional(),
    rate: SampleRate.optional(),
    channel: z.literal(1).optional(),
  }),
  time: UnixTime,
});
export const SpeechSynthesisResponse = z
  .looseObject({
    ...responseFields,
    deviceId: DeviceId,
    ttsResult: z.looseObject({ audioData: z.string() }).optional(),
    time: UnixTime,
  })
  .refine((body) => body.result !== 0 || body.ttsResult !== undefined, {
    message: "ttsResult is required when result is 0",
    path: ["ttsResult"],
  });

/**
 * 5.4.3.17: audio may arrive in segments (`voiceId`, `sn` from 1, `isLast`), all with one sequence;
 * the platform answers 400002 until the last one.
 */
export const VoiceControlRequest = z.looseObject({
  sequence: Sequence,
  deviceId: DeviceId,
  ctrlParam: z.looseObject({
    format: AudioFormat.optional(),
    rate: SampleRate.optional(),
    channel: z.literal(1).optional(),
    voiceId: z.string().optional(),
    sn: z.number().int().positive().optional(),
    isLast: Flag.optional(),
    audioData: z.string(),
    extensions: z.array(z.looseObject({ key: z.string(), value: z.string() })).optional(),
  }),
  time: UnixTime,
});
export const VoiceControlResponse = z.looseObject({
  ...responseFields,
  deviceId: DeviceId,
  ctrlResult: z.looseObject({ rawText: z.string().optional(), resultDesc: z.string().optional() }).optional(),
  time: UnixTime,
});
