import { apiSurface } from "./api/surface.ts";
import { fanoutSurface } from "./fanout/surface.ts";
import { mcConnectionSurface } from "./mc-connection/surface.ts";
import { mcLoginSurface } from "./mc-login/surface.ts";
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
