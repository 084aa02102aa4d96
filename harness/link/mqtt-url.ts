import { showValue, UsageError } from "../errors.ts";

/** `mqtt://host:1883?transport=udp` -> the broker URL and how bridged sessions reach the platform. */
export function parseMqttLinkUrl(text: string): { url: string; transport: "tcp" | "udp" } {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UsageError(
      "mqtt-link",
      `--mqtt-link must be mqtt://host:port (or embedded), got ${showValue(text)}`,
    );
  }
  if (!["mqtt:", "mqtts:", "ws:", "wss:"].includes(parsed.protocol))
    throw new UsageError(
      "mqtt-link",
      `--mqtt-link must be mqtt://host:port (or embedded), got ${showValue(text)}`,
    );
  const transport = parsed.searchParams.get("transport") ?? "tcp";
  if (transport !== "tcp" && transport !== "udp")
    throw new UsageError(
      "mqtt-link",
      `transport in ${showValue(text)} must be tcp or udp, got ${showValue(transport)}`,
    );
  parsed.searchParams.delete("transport");
  return { url: parsed.toString().replace(/\/$/, ""), transport };
}
