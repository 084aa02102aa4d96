import { showValue, UsageError } from "../errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH, type Framing, framings } from "../protocol/cts/envelope.ts";

/** Where a device MQTT link is, and how bridged devices speak over it. */
export interface MqttLinkTarget {
  /** The broker URL without user name or password: the only form to log, report or print. */
  url: string;
  /** Given to the MQTT client as connect options, never as part of a URL. */
  credentials: { username?: string; password?: string };
  /** How bridged sessions reach the platform. */
  transport: "tcp" | "udp";
  framing: Framing;
  maxFrameLength: number;
}

const OPTIONS = ["transport", "framing", "maxFrameLength"] as const;

/** `scheme://user:password@host...` -> `scheme://host...`, for a message about a URL that may not even parse. */
export function withoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1");
}

/**
 * `mqtt://user:password@host:1883?transport=udp&framing=cts-base64&maxFrameLength=65536` -> the broker URL (with the
 * credentials taken out), the credentials, and how bridged devices speak. `option` names the command-line option in
 * messages. Unknown settings are refused by name, as a misspelt one would otherwise be ignored silently.
 */
export function parseMqttLinkUrl(text: string, option = "--mqtt-link"): MqttLinkTarget {
  const field = option.replace(/^--/, "");
  const shown = showValue(withoutCredentials(text), 80);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UsageError(field, `${option} must be mqtt://host:port (or embedded), got ${shown}`);
  }
  if (!["mqtt:", "mqtts:", "ws:", "wss:"].includes(parsed.protocol))
    throw new UsageError(field, `${option} must be mqtt://host:port (or embedded), got ${shown}`);
  const unknown = [...parsed.searchParams.keys()].filter((k) => !(OPTIONS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new UsageError(
      field,
      `unknown setting ${unknown.map((k) => showValue(k)).join(", ")} in ${option} ${shown}; known: ${OPTIONS.join(", ")}`,
    );
  const transport = parsed.searchParams.get("transport") ?? "tcp";
  if (transport !== "tcp" && transport !== "udp")
    throw new UsageError(field, `transport in ${shown} must be tcp or udp, got ${showValue(transport)}`);
  const framing = parsed.searchParams.get("framing") ?? "cts-json";
  if (!(framings as readonly string[]).includes(framing))
    throw new UsageError(
      field,
      `framing in ${shown} must be ${framings.join(" or ")}, got ${showValue(framing)}`,
    );
  const maxText = parsed.searchParams.get("maxFrameLength");
  const maxFrameLength = maxText === null ? DEFAULT_MAX_FRAME_LENGTH : Number(maxText);
  if (!Number.isInteger(maxFrameLength) || maxFrameLength <= 0 || maxFrameLength > 16 * 1024 * 1024)
    throw new UsageError(
      field,
      `maxFrameLength in ${shown} must be a whole number of bytes, 1..16777216, got ${showValue(maxText)}`,
    );
  const credentials: MqttLinkTarget["credentials"] = {};
  if (parsed.username !== "") credentials.username = decodeURIComponent(parsed.username);
  if (parsed.password !== "") credentials.password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  for (const key of OPTIONS) parsed.searchParams.delete(key);
  return {
    url: parsed.toString().replace(/\/$/, ""),
    credentials,
    transport,
    framing: framing as Framing,
    maxFrameLength,
  };
}
