import { createServer } from "node:https";
import { UsageError } from "../../../harness/errors.ts";
import { hostPort } from "../../../harness/net/address.ts";
import { tokenState } from "../../../harness/protocol/c/token.ts";
import { serverOptions } from "../../../harness/tls/mutual-tls.ts";
import { C_SERVER_TIMEOUTS } from "../../interop/c-http.ts";
import { trackConnections } from "../connections.ts";
import type { PlatformContext } from "../context.ts";
import { closeListener, isWildcard, listenTcp } from "../net.ts";
import type { InteropOptions, PlatformOptions } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { type NotifyServerDeps, notifyListener } from "./server.ts";
import { notifyTls } from "./tls.ts";

const NAME = "c-notify";

function interopOf(options: PlatformOptions): InteropOptions {
  const { interop } = options;
  if (interop === undefined) throw new UsageError("interop", `the ${NAME} surface needs the interop options`);
  return interop;
}

function checkInterop(options: PlatformOptions): void {
  const { platformId, platformKey, port = 0 } = interopOf(options);
  if (platformId === "")
    throw new UsageError("interop-platform-id", "--interop-platform-id must not be empty");
  if (platformKey === "")
    throw new UsageError("interop-platform-key", "--interop-platform-key must not be empty");
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError("interop-port", `--interop-port: expected 0-65535, got ${port}`);
}

/**
 * The smart-home platform's side of chapter 7: C11-C18 (7.3.1) over HTTPS with mutual TLS (7.1.2, 7.1.4). The third
 * party's reports land in the state store and on the fan-out as Mc devices' do. Listed only with `interop`.
 * Addresses: `https` (the base URL), and with a test PKI `pki` (its directory) and `clientCert` (the certificate a
 * peer presents, `client-key.pem` beside it).
 */
export const cNotifySurface: Surface = {
  name: NAME,
  check: checkInterop,
  async start(context: PlatformContext): Promise<StartedSurface> {
    const interop = interopOf(context.options);
    const host = interop.host ?? "127.0.0.1";
    const tls = await notifyTls(interop.tls, host);
    const logger = context.logger.child({ surface: NAME });
    const deps: NotifyServerDeps = {
      store: context.store,
      presence: context.presence,
      fanout: context.fanout,
      clock: context.clock,
      logger,
      tokenSource: context.secretRandom,
      // 7.2 step 1: the one pair exchanged offline.
      tokens: tokenState(
        [[interop.platformId, interop.platformKey]],
        interop.tokenLifetimeMs === undefined ? {} : { lifetimeMs: interop.tokenLifetimeMs },
      ),
    };
    const server = createServer(
      { ...serverOptions(tls.material), ...C_SERVER_TIMEOUTS },
      notifyListener(deps),
    );
    // A client without a certificate of the CA ends at the handshake: no request reaches the listener.
    server.on("tlsClientError", (error: NodeJS.ErrnoException) =>
      logger.debug({ code: error.code, reason: error.message }, "c-notify: TLS handshake refused"),
    );
    const endConnections = trackConnections(server);
    const port = await listenTcp(server, interop.port ?? 0, host, context.admission.acceptFailed(NAME));
    const https = `https://${hostPort(isWildcard(host) ? context.advertisedHost : host, port)}`;
    return {
      addresses: {
        https,
        ...(tls.pki === undefined ? {} : { pki: tls.pki }),
        ...(tls.clientCert === undefined ? {} : { clientCert: tls.clientCert }),
      },
      close: async () => {
        endConnections();
        await closeListener(server);
      },
    };
  },
};
