import { apiSurface } from "./api/surface.ts";
import { fanoutSurface } from "./fanout/surface.ts";
import { mcConnectionSurface } from "./mc-connection/surface.ts";
import { mcLoginSurface } from "./mc-login/surface.ts";
import type { PlatformOptions } from "./platform-options.ts";
import type { Surface } from "./surface.ts";

/**
 * The surfaces of the reference platform, in the order they start; they close in the reverse order. The fan-out
 * comes first, so that no device change goes unpublished; the login server last, since its answers name a
 * connection server.
 */
export const platformSurfaces: readonly Surface[] = [
  fanoutSurface,
  mcConnectionSurface,
  apiSurface,
  mcLoginSurface,
];

/**
 * The surfaces a platform with these options starts: the list above, then chapter 7's: the C11-C18 server when the
 * options carry an `interop` section, and after it the C21-C31 client when that section names a third party; then
 * the smart-lock open API with a `lockApi` section; the Aqara-style open API with an `aqara` section; the message
 * push sender with a `push` section. Those are imported only for a platform that starts them: a load run's platform
 * processes start none, and would otherwise import about 100 modules more each (docs/benchmarks.md, "Process start,
 * and a fourth host").
 */
export async function surfacesFor(options: PlatformOptions): Promise<readonly Surface[]> {
  const { interop, lockApi, aqara, push } = options;
  const optional = await Promise.all([
    interop === undefined ? undefined : import("./c-notify/surface.ts").then((m) => m.cNotifySurface),
    interop?.thirdParty === undefined
      ? undefined
      : import("./c-interop/surface.ts").then((m) => m.cInteropSurface),
    lockApi === undefined ? undefined : import("./lock-api/surface.ts").then((m) => m.lockApiSurface),
    aqara === undefined ? undefined : import("./aqara/surface.ts").then((m) => m.aqaraSurface),
    push === undefined ? undefined : import("./push/surface.ts").then((m) => m.pushSurface),
  ]);
  return [...platformSurfaces, ...optional.filter((s) => s !== undefined)];
}
