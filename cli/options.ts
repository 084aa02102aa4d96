import { type Command, Option } from "commander";
import { showValue, UsageError } from "../harness/errors.ts";

/** A commander option parser for an integer in [min, max]; anything else is a usage error naming option and value. */
export function integerOption(name: string, min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(name, `--${name} must be an integer in ${min}..${max}, got ${showValue(text)}`);
    }
    return n;
  };
}

export const portOption = (name: string) => integerOption(name, 0, 65535);

/** The values `httpApiOptions.add` gives a command. */
export interface HttpApiCommandOptions {
  httpHost: string;
  apiToken?: string;
}

/**
 * `--http-host` and `--api-token` (or HILFARM_API_TOKEN) for every command that starts the reference platform: where
 * its HTTP API listens, and the bearer token the API then requires (needed beyond loopback).
 */
export const httpApiOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--http-host <address>",
        "interface the HTTP API, /metrics and /firmware listen on (independent of --host); beyond loopback it needs --api-token",
        "127.0.0.1",
      )
      .addOption(
        new Option(
          "--api-token <token>",
          "bearer token /api/* and /metrics require (Authorization: Bearer <token>); /firmware/* stays open for devices. Prefer the environment variable: arguments show in ps",
        ).env("HILFARM_API_TOKEN"),
      );
  },
  /** The platform options the values give. */
  platform: ({ httpHost, apiToken }: HttpApiCommandOptions) => ({
    httpHost,
    ...(apiToken === undefined ? {} : { apiToken }),
  }),
  /** `apiAuth` of a ready line: whether the API needs a bearer token. */
  auth: ({ apiToken }: HttpApiCommandOptions): "bearer" | "none" =>
    apiToken === undefined ? "none" : "bearer",
};

/** The values `connectionLimitOptions.add` gives a command. */
export interface ConnectionLimitCommandOptions {
  maxConnections?: number;
  maxPendingConnections?: number;
  maxPendingPerAddress?: number;
}

/**
 * Caps on the device ports' TCP connections for commands that start the reference platform in front of a network
 * (defaults from emulators/platform/limits.ts: below the descriptor limit, with a reserve for the API).
 */
export const connectionLimitOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--max-connections <n>",
        "TCP connections held on the device ports at once (default: the descriptor limit less a reserve for the API)",
        integerOption("max-connections", 1, 10_000_000),
      )
      .option(
        "--max-pending-connections <n>",
        "connections not yet logged in or connected, in total (default 8192)",
        integerOption("max-pending-connections", 1, 10_000_000),
      )
      .option(
        "--max-pending-per-address <n>",
        "such connections from one source address (default 2048)",
        integerOption("max-pending-per-address", 1, 10_000_000),
      );
  },
  /** The platform's `limits` the values give (unset ones keep their defaults). */
  platform: (options: ConnectionLimitCommandOptions) => ({
    limits: Object.fromEntries(
      Object.entries({
        maxConnections: options.maxConnections,
        maxPendingConnections: options.maxPendingConnections,
        maxPendingPerAddress: options.maxPendingPerAddress,
      }).filter(([, value]) => value !== undefined),
    ) as { maxConnections?: number; maxPendingConnections?: number; maxPendingPerAddress?: number },
  }),
};
