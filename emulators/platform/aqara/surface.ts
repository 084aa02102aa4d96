import { createServer } from "node:http";
import { UsageError } from "../../../harness/errors.ts";
import { hostPort } from "../../../harness/net/address.ts";
import { DEFAULT_OPEN_API_TOLERANCE_MS } from "../../../harness/protocol/aqara/open-api-request.ts";
import { SdkTokenBook } from "../../../harness/protocol/aqara/sdk-token.ts";
import { trackConnections } from "../connections.ts";
import type { PlatformContext } from "../context.ts";
import { closeListener, isWildcard, listenTcp } from "../net.ts";
import type { AqaraOptions, PlatformOptions } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { aqaraHandlers, type SdkApp } from "./intents.ts";
import { AQARA_API_PATH, aqaraListener } from "./server.ts";

const NAME = "aqara";
const HEX = "0123456789abcdef";

function aqaraOf(options: PlatformOptions): AqaraOptions {
  const { aqara } = options;
  if (aqara === undefined) throw new UsageError("aqara", `the ${NAME} surface needs the aqara options`);
  return aqara;
}

function checkAqara(options: PlatformOptions): void {
  const { apps, port = 0, expiresInS = 7200, toleranceMs = 0 } = aqaraOf(options);
  if (apps.length === 0) throw new UsageError("aqara-app-id", "the open API needs at least one app");
  const seen = new Set<string>();
  for (const { appId, keyId, appKey } of apps) {
    if (appId === "") throw new UsageError("aqara-app-id", "--aqara-app-id must not be empty");
    if (keyId === "")
      throw new UsageError("aqara-key-id", `--aqara-key-id of ${JSON.stringify(appId)} must not be empty`);
    if (appKey === "")
      throw new UsageError("aqara-app-key", `--aqara-app-key of ${JSON.stringify(appId)} must not be empty`);
    const pair = `${appId}\n${keyId}`;
    if (seen.has(pair))
      throw new UsageError(
        "aqara-key-id",
        `app ${JSON.stringify(appId)} lists key id ${JSON.stringify(keyId)} twice`,
      );
    seen.add(pair);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError("aqara-port", `--aqara-port: expected 0-65535, got ${port}`);
  if (!Number.isSafeInteger(expiresInS) || expiresInS <= 0)
    throw new UsageError(
      "aqara-expires-in",
      `--aqara-expires-in: expected a positive number of seconds, got ${expiresInS}`,
    );
  if (!Number.isSafeInteger(toleranceMs) || toleranceMs < 0)
    throw new UsageError("toleranceMs", `toleranceMs: expected milliseconds >= 0, got ${toleranceMs}`);
}

/**
 * The Aqara-style open API (`000_0e61b4fd1fe27231.txt`): the UI-SDK's initialization parameters with a token that
 * expires after `expiresIn` on the platform's clock, the notification that a token expired, and one token-protected
 * query over the platform's devices. Requests are POST `{intent, data}` to `/v3.0/open/api`, signed with the app's
 * key; every answer is HTTP 200 with the envelope. Listed only with `aqara`. Addresses: `http` (the base URL, which
 * is also the `appRequestDomain` answered) and `api` (the open API's URL).
 */
export const aqaraSurface: Surface = {
  name: NAME,
  check: checkAqara,
  async start(context: PlatformContext): Promise<StartedSurface> {
    const options = aqaraOf(context.options);
    const host = options.host ?? "127.0.0.1";
    const logger = context.logger.child({ surface: NAME });
    const keys = new Map<string, Map<string, string>>();
    const apps = new Map<string, SdkApp>();
    for (const app of options.apps) {
      keys.set(app.appId, (keys.get(app.appId) ?? new Map<string, string>()).set(app.keyId, app.appKey));
      if (!apps.has(app.appId) || app.sdkAppKey !== undefined)
        apps.set(app.appId, {
          userId: `hilfarm-${app.appId}`,
          // Not the signing key: the UI-SDK's appKey ships inside an app.
          sdkAppKey: app.sdkAppKey ?? apps.get(app.appId)?.sdkAppKey ?? context.secretRandom.string(32, HEX),
        });
    }
    let http = "";
    const handlers = aqaraHandlers(
      {
        tokens: new SdkTokenBook(options.expiresInS === undefined ? {} : { expiresInS: options.expiresInS }),
        random: context.secretRandom,
        store: context.store,
        apps,
        domain: () => http,
        sdk: { positionId: "hilfarm.default", ...options.sdk },
      },
      options.intents,
    );
    const listener = aqaraListener({
      clock: context.clock,
      logger,
      random: context.random.fork(NAME),
      keys,
      toleranceMs: options.toleranceMs ?? DEFAULT_OPEN_API_TOLERANCE_MS,
      handlers,
    });
    const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000 }, listener);
    const endConnections = trackConnections(server);
    const port = await listenTcp(server, options.port ?? 0, host, context.admission.acceptFailed(NAME));
    http = `http://${hostPort(isWildcard(host) ? context.advertisedHost : host, port)}`;
    return {
      addresses: { http, api: `${http}${AQARA_API_PATH}` },
      close: async () => {
        endConnections();
        await closeListener(server);
      },
    };
  },
};
