import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { Logger } from "pino";
import { httpStatusOf, PlatformError, type PlatformErrorCode } from "../errors.ts";
import type { PlatformLimits } from "../limits.ts";
import type { PlatformMetrics } from "../metrics.ts";
import { type ApiEnv, tooLarge } from "./body.ts";

export type ApiApp = Hono<ApiEnv>;

/** Routes a part of the platform adds to the HTTP server. */
export type RouteSet = (app: ApiApp) => void;

export interface HttpApiOptions {
  metrics: PlatformMetrics;
  logger: Logger;
  limits: Pick<
    PlatformLimits,
    "maxHttpConnections" | "maxHttpPerAddress" | "maxHttpBodyBytes" | "maxFirmwareBytes"
  >;
  /** When set, `/api/*` and `/metrics` need `Authorization: Bearer <apiToken>`; `/firmware/*` stays open. */
  apiToken?: string;
  /** What the server serves, added in this order (the order `Allow` lists a path's methods in). */
  routes: readonly RouteSet[];
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Refusals counted in `hilfarm_platform_http_refused_total{reason}`: the request's size, shape or credentials. */
const REFUSALS = new Set<PlatformErrorCode>([
  "UNAUTHORIZED",
  "METHOD_NOT_ALLOWED",
  "BODY_TOO_LARGE",
  "TOO_MANY_FIRMWARE_FILES",
  "FIRMWARE_BUSY",
  "FRAME_TOO_LONG",
  "TOO_DEEP",
]);

/**
 * The platform's HTTP server: the refusals every route shares (errors, bearer token, methods, body sizes, connection
 * caps), and the routes given.
 */
export function createHttpApi(options: HttpApiOptions): Server {
  const { metrics, logger, limits } = options;
  const app = new Hono<ApiEnv>();

  const refusal = (
    c: Context<ApiEnv>,
    code: PlatformErrorCode,
    detail: string,
    headers?: Record<string, string>,
    details: Readonly<Record<string, unknown>> = {},
  ) => {
    if (REFUSALS.has(code)) metrics.httpRefused.inc({ reason: code.toLowerCase() });
    return c.json({ ...details, error: code, detail }, httpStatusOf[code], headers);
  };

  app.onError((error, c) => {
    if (error instanceof PlatformError)
      return refusal(c, error.code, error.message, undefined, error.details);
    const incoming = c.env?.incoming;
    if (incoming !== undefined && (incoming.readableAborted || incoming.errored !== null)) {
      // The client went away mid-request (an upload cut short): nobody reads this answer, and it is no platform fault.
      logger.debug({ method: c.req.method, path: c.req.path, err: error }, "API client gone mid-request");
      return c.json({ error: "BAD_REQUEST", detail: "the request was cut short" }, 400);
    }
    metrics.httpErrors.inc({ status: "500" });
    metrics.handlerErrors.inc({ surface: "http" });
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "northbound API error");
    // The stack and message stay in the log: they describe the platform, not the request.
    return c.json(
      { error: "INTERNAL", detail: "the platform failed on this request; its log says why" },
      500,
    );
  });
  app.notFound((c) => c.json({ error: "NOT_FOUND", detail: `no route ${c.req.method} ${c.req.path}` }, 404));

  if (options.apiToken !== undefined) {
    // Both sides hashed first: timingSafeEqual needs equal lengths, and the length of the token must not leak either.
    const expected = sha256(options.apiToken);
    const requireToken: MiddlewareHandler<ApiEnv> = async (c, next) => {
      const given = /^Bearer +(\S+) *$/i.exec(c.req.header("authorization") ?? "")?.[1];
      if (given !== undefined && timingSafeEqual(sha256(given), expected)) return next();
      return refusal(
        c,
        "UNAUTHORIZED",
        given === undefined
          ? "this API needs an Authorization: Bearer <token> header (the platform's --api-token)"
          : "the bearer token is not the platform's --api-token",
        {
          "WWW-Authenticate":
            given === undefined ? 'Bearer realm="hilfarm"' : 'Bearer realm="hilfarm", error="invalid_token"',
        },
      );
    };
    app.use("/api/*", requireToken);
    app.use("/metrics", requireToken);
  }
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        refusal(
          c,
          "METHOD_NOT_ALLOWED",
          `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(", ")}`,
          {
            Allow: methods.join(", "),
          },
        ),
    }),
  );
  // A declared length over the limit is refused before a byte of the body is read; a body without one (chunked) is
  // counted as it is read by the route. Firmware uploads (firmware/routes.ts) have a limit of their own.
  app.use(async (c, next) => {
    const upload = c.req.method === "PUT" && c.req.path.startsWith("/api/firmware/");
    const [limit, name] = upload
      ? [limits.maxFirmwareBytes, "maxFirmwareBytes"]
      : [limits.maxHttpBodyBytes, "maxHttpBodyBytes"];
    if (Number(c.req.header("content-length") ?? 0) > limit) throw tooLarge(limit, name);
    return next();
  });

  for (const mount of options.routes) mount(app);

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.maxConnections = limits.maxHttpConnections;
  server.on("drop", () => metrics.httpRefused.inc({ reason: "connections" }));
  // A connection must send its request head within 10 s (Node's default is 60 s), and one address holds at most
  // `maxHttpPerAddress` of them: idle connections from one place cannot take every place from the others.
  server.headersTimeout = 10_000;
  const perAddress = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const held = perAddress.get(address) ?? 0;
    if (held >= limits.maxHttpPerAddress) {
      metrics.httpRefused.inc({ reason: "connections_per_address" });
      socket.destroy();
      return;
    }
    perAddress.set(address, held + 1);
    socket.once("close", () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
  return server;
}
