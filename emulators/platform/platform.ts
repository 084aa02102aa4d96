import type { EventEmitter } from "node:events";
import {
  closePlatformContext,
  createPlatformContext,
  endSessions,
  type PlatformContext,
  type PlatformEvents,
} from "./context.ts";
import { fanoutSurface } from "./fanout/surface.ts";
import type { FirmwareStore } from "./firmware/firmware.ts";
import { mcLoginSurface } from "./mc-login/surface.ts";
import type { PlatformMetrics } from "./metrics.ts";
import type { PlatformOperations } from "./operations.ts";
import type { PlatformOptions } from "./platform-options.ts";
import type { DeviceSession } from "./session.ts";
import type { StateStore } from "./state-store.ts";
import { type StartedSurfaces, startSurfaces } from "./surface.ts";
import { surfacesFor } from "./surfaces.ts";

export type { PlatformEvents } from "./context.ts";
export { isLoopback } from "./net.ts";
export { DEFAULT_PORTS, type PlatformOptions } from "./platform-options.ts";

export interface PlatformAddresses {
  login: string;
  tcp: string;
  udp: string;
  http: string;
  mqtt: string | null;
  /** Every connection server, when there are several. */
  connectionServers: Array<{ tcp: string; udp: string }>;
  /** Every surface's addresses under its name (`mc-login`, `mc-connection`, `api`, `fanout`, ...). */
  surfaces: Record<string, Record<string, string>>;
}

/** The reference platform, started: its addresses, its state, and the operations an app backend uses. */
export interface Platform {
  readonly addresses: PlatformAddresses;
  readonly store: StateStore;
  readonly metrics: PlatformMetrics;
  readonly operations: PlatformOperations;
  readonly firmware: FirmwareStore;
  readonly events: EventEmitter<PlatformEvents>;
  readonly seed: number | undefined;
  sessionOf(deviceId: string): DeviceSession | undefined;
  close(): Promise<void>;
}

function platformAddresses(context: PlatformContext, started: StartedSurfaces): PlatformAddresses {
  const surfaces = started.addresses;
  const connectionServers = context.connectionServers.map(({ tcp, udp }) => ({ tcp, udp }));
  return {
    login: surfaces[mcLoginSurface.name]?.login ?? "",
    tcp: connectionServers[0]?.tcp ?? "",
    udp: connectionServers[0]?.udp ?? "",
    http: context.httpBase,
    mqtt: surfaces[fanoutSurface.name]?.mqtt ?? null,
    connectionServers,
    surfaces,
  };
}

/** Starts every surface of the reference platform (surfaces.ts) on one shared context. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const surfaces = await surfacesFor(options);
  for (const surface of surfaces) surface.check?.(options);
  const context = await createPlatformContext(options);
  let started: StartedSurfaces;
  try {
    started = await startSurfaces(surfaces, context);
  } catch (error) {
    await closePlatformContext(context);
    throw error;
  }
  const addresses = platformAddresses(context, started);
  const { apiToken } = options;
  context.logger.info(
    {
      ...addresses,
      seed: context.random.seed,
      devices: context.registry.size,
      apiAuth: apiToken === undefined ? "none" : "bearer",
    },
    apiToken === undefined
      ? "platform ready; the HTTP API needs no token (loopback only)"
      : "platform ready; the HTTP API needs Authorization: Bearer <token>",
  );

  let closed: Promise<void> | undefined;
  return {
    addresses,
    store: context.store,
    metrics: context.metrics,
    operations: context.operations,
    firmware: context.firmware,
    events: context.events,
    seed: context.random.seed,
    sessionOf: (deviceId) => context.sessions.get(deviceId),
    close: () => {
      closed ??= (async () => {
        endSessions(context);
        try {
          await started.close();
        } finally {
          await closePlatformContext(context);
        }
      })();
      return closed;
    },
  };
}
