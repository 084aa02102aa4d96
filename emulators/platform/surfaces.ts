import { apiSurface } from "./api/surface.ts";
import { aqaraSurface } from "./aqara/surface.ts";
import { cInteropSurface } from "./c-interop/surface.ts";
import { cNotifySurface } from "./c-notify/surface.ts";
import { fanoutSurface } from "./fanout/surface.ts";
import { lockApiSurface } from "./lock-api/surface.ts";
import { mcConnectionSurface } from "./mc-connection/surface.ts";
import { mcLoginSurface } from "./mc-login/surface.ts";
import type { PlatformOptions } from "./platform-options.ts";
import { pushSurface } from "./push/surface.ts";
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
 * push sender with a `push` section.
 */
export function surfacesFor(options: PlatformOptions): readonly Surface[] {
  const { interop, lockApi } = options;
  return [
    ...platformSurfaces,
    ...(interop === undefined ? [] : [cNotifySurface]),
    ...(interop?.thirdParty === undefined ? [] : [cInteropSurface]),
    ...(lockApi === undefined ? [] : [lockApiSurface]),
    ...(options.aqara === undefined ? [] : [aqaraSurface]),
    ...(options.push === undefined ? [] : [pushSurface]),
  ];
}
