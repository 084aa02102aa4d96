/**
 * Voice control (3002) and speech synthesis (3000) are pluggable: a deployment plugs in real engines, tests use
 * these deterministic defaults.
 */
export interface RecognitionRequest {
  deviceId: string;
  audio: Buffer;
  format: string | undefined;
  rate: number | undefined;
}
export type Recognition = { ok: true; rawText: string; resultDesc: string } | { ok: false; result: number };
export type Recognizer = (request: RecognitionRequest) => Recognition | Promise<Recognition>;

export interface SynthesisRequest {
  deviceId: string;
  content: string;
  anchor: string | undefined;
  format: string;
  rate: number;
}
export type Synthesis = { ok: true; audio: Buffer } | { ok: false; result: number };
export type Synthesizer = (request: SynthesisRequest) => Synthesis | Promise<Synthesis>;

/** Speakers the default synthesizer knows; any other `anchor` gets 400001 (5.4.4). */
export const DEFAULT_ANCHORS: readonly string[] = ["xiaoyan", "xiaofeng"];

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads the audio as UTF-8 text: emulated devices "speak" by sending text. Anything else is 400005. */
export const textRecognizer: Recognizer = ({ audio }) => {
  try {
    const rawText = utf8.decode(audio).trim();
    if (rawText === "") return { ok: false, result: 400005 };
    return { ok: true, rawText, resultDesc: `recognised: ${rawText}` };
  } catch {
    return { ok: false, result: 400005 };
  }
};

/** Deterministic "audio": a header naming format and rate, then the text. Same input, same bytes. */
export const textSynthesizer: Synthesizer = ({ content, anchor, format, rate }) => {
  if (anchor !== undefined && !DEFAULT_ANCHORS.includes(anchor)) return { ok: false, result: 400001 };
  return {
    ok: true,
    audio: Buffer.from(`HILFARM-TTS ${format} ${rate} ${anchor ?? DEFAULT_ANCHORS[0]}\n${content}`, "utf8"),
  };
};
