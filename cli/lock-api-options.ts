import { type Command, Option } from "commander";
import type { LockApiOptions } from "../emulators/platform/platform-options.ts";
import { UsageError } from "../harness/errors.ts";
import { portOption } from "./options.ts";

/** More clients of the lock API: `id:secret` pairs, comma-separated (secrets stay out of the arguments). */
export const MORE_CLIENTS_ENV = "HILFARM_LOCK_API_CLIENTS";

function moreClients(text: string | undefined): Array<{ clientId: string; secret: string }> {
  if (text === undefined || text.trim() === "") return [];
  return text.split(",").map((pair, i) => {
    const at = pair.indexOf(":");
    if (at <= 0)
      throw new UsageError(
        "lock-api-clients",
        `${MORE_CLIENTS_ENV}: entry ${i + 1} is not client_id:secret (got ${at < 0 ? "no colon" : "an empty client_id"})`,
      );
    return { clientId: pair.slice(0, at).trim(), secret: pair.slice(at + 1).trim() };
  });
}

/** The values `lockApiOptions.add` gives a command. */
export interface LockApiCommandOptions {
  lockApiClientId?: string;
  lockApiSecret?: string;
  lockApiPort: number;
}

/**
 * `--lock-api-client-id`, `--lock-api-secret` (or HILFARM_LOCK_API_SECRET) and `--lock-api-port`: the smart-lock open
 * API over the platform's locks, started only with `--lock-api-client-id`; HILFARM_LOCK_API_CLIENTS adds more clients.
 */
export const lockApiOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--lock-api-client-id <id>",
        "serve the smart-lock open API; the client_id its callers (and the vendor's SDK, as accessKey) sign with",
      )
      .addOption(
        new Option(
          "--lock-api-secret <secret>",
          "that client's secret, 32 characters (the SDK's secretKey). Prefer the environment variable: arguments show in ps",
        ).env("HILFARM_LOCK_API_SECRET"),
      )
      .option(
        "--lock-api-port <port>",
        "port of the lock API; 0 = any free port",
        portOption("lock-api-port"),
        0,
      );
  },
  /** The platform's `lockApi` section, or nothing without `--lock-api-client-id`. */
  platform(options: LockApiCommandOptions, host: string): { lockApi?: LockApiOptions } {
    const { lockApiClientId: clientId, lockApiSecret: secret } = options;
    if (clientId === undefined) return {};
    if (secret === undefined || secret === "")
      throw new UsageError(
        "lock-api-secret",
        "--lock-api-client-id needs --lock-api-secret (or HILFARM_LOCK_API_SECRET)",
      );
    const clients = [{ clientId, secret }, ...moreClients(process.env[MORE_CLIENTS_ENV])];
    return { lockApi: { clients, port: options.lockApiPort, host } };
  },
};
