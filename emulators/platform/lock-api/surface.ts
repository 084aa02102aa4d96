import { createServer } from "node:http";
import { UsageError } from "../../../harness/errors.ts";
import { hostPort } from "../../../harness/net/address.ts";
import { ticketState } from "../../../harness/protocol/lock-api/ticket.ts";
import { lockTokenState } from "../../../harness/protocol/lock-api/token.ts";
import { DEFAULT_T_TOLERANCE_MS } from "../../../harness/protocol/lock-api/verify.ts";
import { trackConnections } from "../connections.ts";
import type { PlatformContext } from "../context.ts";
import { closeListener, isWildcard, listenTcp } from "../net.ts";
import type { LockApiOptions, PlatformOptions } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { LockPasswords } from "./lock-passwords.ts";
import { DEFAULT_LOCK_TYPES } from "./lock-types.ts";
import { logHandlers } from "./log-handlers.ts";
import { offlineHandlers } from "./offline-handlers.ts";
import { passwordHandlers } from "./password-handlers.ts";
import { passwordSyncHandlers } from "./password-sync-handlers.ts";
import { remoteHandlers } from "./remote-handlers.ts";
import { lockApiListener } from "./server.ts";
import { userHandlers } from "./user-handlers.ts";

const NAME = "lock-api";
/** `ticket_key` is AES-256 under the secret: 32 characters. */
const SECRET_LENGTH = 32;

function lockApiOf(options: PlatformOptions): LockApiOptions {
  const { lockApi } = options;
  if (lockApi === undefined)
    throw new UsageError("lock-api", `the ${NAME} surface needs the lockApi options`);
  return lockApi;
}

function checkLockApi(options: PlatformOptions): void {
  const { clients, port = 0 } = lockApiOf(options);
  if (clients.length === 0)
    throw new UsageError("lock-api-client-id", "the lock API needs at least one client");
  const seen = new Set<string>();
  for (const { clientId, secret } of clients) {
    if (clientId === "") throw new UsageError("lock-api-client-id", "--lock-api-client-id must not be empty");
    if (seen.has(clientId))
      throw new UsageError("lock-api-client-id", `client ${JSON.stringify(clientId)} is listed twice`);
    seen.add(clientId);
    if (Buffer.byteLength(secret) !== SECRET_LENGTH)
      throw new UsageError(
        "lock-api-secret",
        `--lock-api-secret of ${JSON.stringify(clientId)}: expected ${SECRET_LENGTH} characters (ticket keys are AES-256 under it), got ${Buffer.byteLength(secret)}`,
      );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError("lock-api-port", `--lock-api-port: expected 0-65535, got ${port}`);
}

/**
 * The smart-lock open API (`002_c2fdad2378ea765c.txt`) over the platform's own locks: signed requests and tokens,
 * password tickets, temporary passwords that really reach the locks (2031 KEY_LIST orders), open and alarm logs from
 * what the locks report. Answers every call with HTTP 200 and the envelope. Listed only with `lockApi`. Addresses:
 * `http` (the base URL callers and the vendor's SDK point at).
 */
export const lockApiSurface: Surface = {
  name: NAME,
  check: checkLockApi,
  async start(context: PlatformContext): Promise<StartedSurface> {
    const options = lockApiOf(context.options);
    const host = options.host ?? "127.0.0.1";
    const logger = context.logger.child({ surface: NAME });
    const passwords = new LockPasswords({ store: context.store, operations: context.operations, logger });
    const groups = { platform: context, passwords };
    const listener = lockApiListener({
      clock: context.clock,
      logger,
      store: context.store,
      passwords,
      random: context.secretRandom,
      secrets: new Map(options.clients.map((c) => [c.clientId, c.secret])),
      toleranceMs: options.toleranceMs ?? DEFAULT_T_TOLERANCE_MS,
      lockTypes: { ...DEFAULT_LOCK_TYPES, ...options.lockTypes },
      handlers: {
        ...passwordHandlers,
        ...logHandlers,
        ...passwordSyncHandlers(groups),
        ...offlineHandlers(groups),
        ...userHandlers(groups),
        ...remoteHandlers(groups),
      },
      tokens: lockTokenState(
        options.tokenLifetimeMs === undefined ? {} : { accessLifetimeMs: options.tokenLifetimeMs },
      ),
      tickets: {
        state: ticketState(
          options.ticketLifetimeMs === undefined ? {} : { lifetimeMs: options.ticketLifetimeMs },
        ),
      },
    });
    const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000 }, listener);
    const endConnections = trackConnections(server);
    const port = await listenTcp(server, options.port ?? 0, host, context.admission.acceptFailed(NAME));
    const http = `http://${hostPort(isWildcard(host) ? context.advertisedHost : host, port)}`;
    return {
      addresses: { http },
      close: async () => {
        endConnections();
        await closeListener(server);
        await passwords.settled();
      },
    };
  },
};
