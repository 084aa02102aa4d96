import type { PlatformAddresses } from "../emulators/platform/platform.ts";

/**
 * The ready line of a command that starts the reference platform: where devices log in and connect, the API, the
 * fan-out, whether the API needs a token, what the command adds, and last every surface's addresses by name.
 */
export function platformReadyLine(
  addresses: PlatformAddresses,
  apiAuth: "bearer" | "none",
  extra: Record<string, unknown> = {},
): string {
  const { login, tcp, udp, http, mqtt, surfaces } = addresses;
  return `${JSON.stringify({ event: "ready", login, tcp, udp, http, mqtt, apiAuth, ...extra, surfaces })}\n`;
}
