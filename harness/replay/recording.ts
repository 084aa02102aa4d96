import { z } from "zod";
import { showValue, UsageError } from "../errors.ts";
import { EVIDENCE_FORMAT } from "../evidence/capture-file.ts";
import { isMcCode, type McCode, packetType } from "../protocol/mc/packet-types.ts";

/** One frame of a recorded session, as the side that sent it: what a replay plays or compares. */
export interface RecordedFrame {
  /** Line of the evidence file (1 = the header): how reports name the frame. */
  line: number;
  /** Clock time of the recording, ms. */
  at: number;
  from: "device" | "platform";
  code: McCode;
  name: string;
  sequence?: string;
  body: Record<string, unknown>;
}

/** One device's session out of an evidence file, seen from one side of the wire. */
export interface Recording {
  file: string;
  deviceId: string;
  /** Whose frames these are: the platform's view of the wire when the file has it, else the device's. */
  observer: "platform" | "device";
  frames: RecordedFrame[];
}

const EvidenceLine = z.object({
  at: z.number().finite(),
  observer: z.enum(["platform", "device"]),
  deviceId: z.string(),
  direction: z.enum(["in", "out"]),
  code: z.number().int(),
  sequence: z
    .string()
    .regex(/^\d{1,5}$/, "expected a sequence in 0..65535")
    .refine((text) => Number(text) <= 65535, "expected a sequence in 0..65535")
    .optional(),
  body: z.record(z.string(), z.unknown()),
  note: z.string().optional(),
});

type Line = z.output<typeof EvidenceLine> & { line: number };

/**
 * Reads an evidence file (`hilfarm certify`, `hilfarm run --evidence`, `hilfarm replay convert`) into one device's
 * recorded session. Bad lines are a `UsageError` naming the file, the line, the field and the value.
 */
export function readRecording(text: string, file: string, deviceId?: string): Recording {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim() ?? "";
  if (!header.startsWith("{") || !header.includes(EVIDENCE_FORMAT))
    throw new UsageError(
      "evidence",
      `${file}: line 1: not a hilfarm evidence file (the first line names ${EVIDENCE_FORMAT}); got ${showValue(header.slice(0, 60))}`,
    );
  const frames: Line[] = [];
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (index === 0 || text === "") return;
    frames.push({ ...parseLine(text, file, index + 1), line: index + 1 });
  });
  const ids = [...new Set(frames.map((f) => f.deviceId))];
  const chosen = deviceId ?? (ids.length === 1 ? ids[0] : undefined);
  if (chosen === undefined)
    throw new UsageError(
      "device-id",
      ids.length === 0
        ? `${file}: the file holds no frames`
        : `${file}: frames of ${ids.length} devices (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""}): name one with --device-id`,
    );
  const own = frames.filter((f) => f.deviceId === chosen);
  if (own.length === 0)
    throw new UsageError(
      "device-id",
      `${file}: no frames of device ${showValue(chosen)} (it has ${ids.slice(0, 5).join(", ")})`,
    );
  const observer = own.some((f) => f.observer === "platform") ? "platform" : "device";
  return {
    file,
    deviceId: chosen,
    observer,
    frames: own
      // A refused login is recorded from its clear envelope only: nothing in it to play again.
      .filter((f) => f.observer === observer && f.note === undefined)
      .map((f) => recordedFrame(f, observer)),
  };
}

function parseLine(text: string, file: string, line: number): z.output<typeof EvidenceLine> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError("evidence", `${file}: line ${line}: not JSON: ${showValue(text.slice(0, 60))}`);
  }
  const parsed = EvidenceLine.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const got = issue !== undefined && "input" in issue ? ` (got ${showValue(issue.input)})` : "";
    throw new UsageError(
      "evidence",
      `${file}: line ${line}: ${issue?.path.join(".") || "frame"}: ${issue?.message ?? "not an evidence frame"}${got}`,
    );
  }
  if (!isMcCode(parsed.data.code))
    throw new UsageError(
      "evidence",
      `${file}: line ${line}: code: not an Mc packet type (got ${parsed.data.code})`,
    );
  return parsed.data;
}

function recordedFrame(f: Line, observer: "platform" | "device"): RecordedFrame {
  const code = f.code as McCode;
  // The platform's "in" and the device's "out" are both the device speaking.
  const fromDevice = (observer === "platform") === (f.direction === "in");
  return {
    line: f.line,
    at: f.at,
    from: fromDevice ? "device" : "platform",
    code,
    name: packetType(code).name,
    ...(f.sequence === undefined ? {} : { sequence: f.sequence }),
    body: f.body,
  };
}
