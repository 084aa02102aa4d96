import { UsageError } from "../../../harness/errors.ts";
import { hostPort } from "../../../harness/net/address.ts";
import { trackConnections } from "../connections.ts";
import type { PlatformContext } from "../context.ts";
import { firmwareRoutes } from "../firmware/routes.ts";
import type { PlatformMetrics } from "../metrics.ts";
import { closeListener, isLoopback, isWildcard, listenTcp } from "../net.ts";
import { DEFAULT_PORTS, type PlatformOptions } from "../platform-options.ts";
import { pushRoutes } from "../push/routes.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { deviceRoutes } from "./device-routes.ts";
import { createHttpApi, type RouteSet } from "./http-api.ts";
import { checkLanKeyLiveTime, lanRoutes } from "./lan-routes.ts";
import { thirdPartyRoutes } from "./third-party-routes.ts";

const metricsRoute =
  (metrics: PlatformMetrics): RouteSet =>
  (app) =>
    app.get("/metrics", async (c) =>
      c.text(await metrics.text(), 200, { "content-type": metrics.registry.contentType }),
    );

/** The HTTP API beyond loopback takes a token: it controls devices and takes firmware. */
function checkExposure({ httpHost = "127.0.0.1", apiToken }: PlatformOptions): void {
  if (apiToken === undefined && !isLoopback(httpHost)) {
    throw new UsageError(
      "api-token",
      `the HTTP API would listen on ${httpHost} (--http-host), beyond loopback, without a token: give --api-token ` +
        "(or HILFARM_API_TOKEN), or keep --http-host on 127.0.0.1",
    );
  }
  if (apiToken === "") throw new UsageError("api-token", "--api-token must not be empty");
}

/**
 * The northbound HTTP API an app backend uses, with `/metrics` and the firmware files. Firmware is a route set
 * mounted into this surface's server, not a surface of its own: devices fetch the URL a 2025 names, which is this
 * server's address, and uploads share its body limits, connection caps and bearer token. Addresses: `http` (the
 * base URL), `metrics`, `firmware` (the prefix of every file's URL).
 */
export const apiSurface: Surface = {
  name: "api",
  check: (options) => {
    checkExposure(options);
    checkLanKeyLiveTime(options);
  },
  async start(context: PlatformContext): Promise<StartedSurface> {
    const { options, metrics, limits } = context;
    const httpHost = options.httpHost ?? "127.0.0.1";
    const server = createHttpApi({
      metrics,
      logger: context.logger,
      limits,
      ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
      routes: [
        deviceRoutes(context.operations, context.store, limits.maxHttpBodyBytes),
        lanRoutes(context.registry, context.logger, limits.maxHttpBodyBytes, options.lanKeyLiveTimeS),
        thirdPartyRoutes(() => context.thirdParty, limits.maxHttpBodyBytes),
        pushRoutes(() => context.push, limits.maxHttpBodyBytes),
        firmwareRoutes(context.firmware),
        metricsRoute(metrics),
        ...(options.routes ?? []),
      ],
    });
    const endConnections = trackConnections(server);
    const port = await listenTcp(
      server,
      options.httpPort ?? DEFAULT_PORTS.http,
      httpHost,
      context.admission.acceptFailed("http"),
    );
    // Also the base of firmware URLs in 2025: on every interface, devices reach it at the advertised address.
    const http = `http://${hostPort(isWildcard(httpHost) ? context.advertisedHost : httpHost, port)}`;
    context.httpBase = http;
    return {
      addresses: { http, metrics: `${http}/metrics`, firmware: `${http}/firmware/` },
      close: async () => {
        endConnections();
        await closeListener(server);
      },
    };
  },
};
