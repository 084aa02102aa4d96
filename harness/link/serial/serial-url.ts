import { z } from "zod";
import { showValue, UsageError } from "../../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH, framings } from "../../protocol/cts/envelope.ts";

/** Line settings and framing of a serial link, as `serial:///dev/ttyUSB0?baud=115200&framing=cts-json` gives them. */
export const SerialSettingsSchema = z.object({
  path: z.string().min(1),
  baudRate: z.coerce.number().int().positive().max(4_000_000),
  dataBits: z.coerce.number().pipe(z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)])),
  parity: z.enum(["none", "even", "odd", "mark", "space"]),
  stopBits: z.coerce.number().pipe(z.union([z.literal(1), z.literal(1.5), z.literal(2)])),
  flowControl: z.enum(["none", "rtscts", "xonxoff"]),
  framing: z.enum(framings),
  /** How the device's sessions reach the platform through the bridge. */
  transport: z.enum(["tcp", "udp"]),
  maxFrameLength: z.coerce
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024),
});
export type SerialSettings = z.infer<typeof SerialSettingsSchema>;

const parameterNames: Record<string, keyof SerialSettings> = {
  baud: "baudRate",
  baudRate: "baudRate",
  dataBits: "dataBits",
  parity: "parity",
  stopBits: "stopBits",
  flowControl: "flowControl",
  framing: "framing",
  transport: "transport",
  maxFrameLength: "maxFrameLength",
};

/**
 * `serial:///dev/ttyUSB0?baud=115200&parity=none&stopBits=1&dataBits=8&flowControl=none&framing=cts-json&transport=tcp`,
 * or just a device path (`/dev/ttyUSB0`, `/dev/pts/3`) with the defaults: 115200 8N1, no flow control, cts-json, TCP.
 */
export function parseSerialUrl(text: string): SerialSettings {
  let path = text;
  let query = "";
  if (text.startsWith("serial://")) {
    const rest = text.slice("serial://".length);
    const at = rest.indexOf("?");
    path = at < 0 ? rest : rest.slice(0, at);
    query = at < 0 ? "" : rest.slice(at + 1);
  } else if (text.includes("://")) {
    throw new UsageError(
      "serial",
      `a serial link is serial:///dev/<port>?baud=... or a device path, got ${showValue(text)}`,
    );
  }
  const raw: Record<string, unknown> = {
    path,
    baudRate: 115200,
    dataBits: 8,
    parity: "none",
    stopBits: 1,
    flowControl: "none",
    framing: "cts-json",
    transport: "tcp",
    maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
  };
  for (const [key, value] of new URLSearchParams(query)) {
    const name = parameterNames[key];
    if (name === undefined)
      throw new UsageError(
        "serial",
        `unknown serial setting ${showValue(key)} in ${showValue(text)}; known: ${Object.keys(parameterNames).join(", ")}`,
      );
    raw[name] = value;
  }
  const parsed = SerialSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "serial");
    const given = Object.entries(parameterNames).find(([, v]) => v === field)?.[0] ?? field;
    throw new UsageError(
      "serial",
      `serial setting ${given}=${showValue(raw[field])} in ${showValue(text)}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** The settings as a URL again, for logs and reports. */
export function serialUrl(s: SerialSettings): string {
  return `serial://${s.path}?baud=${s.baudRate}&dataBits=${s.dataBits}&parity=${s.parity}&stopBits=${s.stopBits}&flowControl=${s.flowControl}&framing=${s.framing}&transport=${s.transport}`;
}
