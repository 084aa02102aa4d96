import { type Command, Option } from "commander";
import type { LockApiOptions } from "../emulators/platform/platform-options.ts";
import { UsageError } from "../harness/errors.ts";
import { portOption } from "./options.ts";

/** The values `lockApiOptions.add` gives a command. */
export interface LockApiCommandOptions {
  lockApiClientId?: string;
  lockApiSecret?: string;
  lockApiPort: number;
}

/**
 * `--lock-api-client-id`, `--lock-api-secret` (or HILFARM_LOCK_API_SECRET) and `--lock-api-port`: the smart-lock open
 * API over the platform's locks, started only with `--lock-api-client-id`.
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
    return { lockApi: { clients: [{ clientId, secret }], port: options.lockApiPort, host } };
  },
};
