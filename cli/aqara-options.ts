import { type Command, Option } from "commander";
import type { AqaraOptions } from "../emulators/platform/platform-options.ts";
import { UsageError } from "../harness/errors.ts";
import { DEFAULT_SDK_EXPIRES_IN_S } from "../harness/protocol/aqara/sdk-token.ts";
import { integerOption, portOption } from "./options.ts";

/** More apps of the open API: `appId:keyId:appKey` triples, comma-separated (keys stay out of the arguments). */
export const MORE_APPS_ENV = "HILFARM_AQARA_APPS";

function moreApps(text: string | undefined): Array<{ appId: string; keyId: string; appKey: string }> {
  if (text === undefined || text.trim() === "") return [];
  return text.split(",").map((entry, i) => {
    const [appId = "", keyId = "", ...rest] = entry.split(":").map((part) => part.trim());
    const appKey = rest.join(":");
    if (appId === "" || keyId === "" || appKey === "")
      throw new UsageError(
        "aqara-apps",
        `${MORE_APPS_ENV}: entry ${i + 1} is not appId:keyId:appKey (got ${entry.split(":").length - 1} colons${appId === "" ? ", an empty appId" : ""})`,
      );
    return { appId, keyId, appKey };
  });
}

/** The values `aqaraOptions.add` gives a command. */
export interface AqaraCommandOptions {
  aqaraAppId?: string;
  aqaraKeyId?: string;
  aqaraAppKey?: string;
  aqaraSdkAppKey?: string;
  aqaraPort: number;
  aqaraExpiresIn: number;
}

/**
 * `--aqara-app-id`, `--aqara-key-id`, `--aqara-app-key` (or HILFARM_AQARA_APP_KEY), `--aqara-sdk-app-key` (or
 * HILFARM_AQARA_SDK_APP_KEY), `--aqara-port` and `--aqara-expires-in`: the Aqara-style open API over the platform's
 * devices, started only with `--aqara-app-id`; HILFARM_AQARA_APPS adds more apps.
 */
export const aqaraOptions = {
  add(command: Command): Command {
    return command
      .option(
        "--aqara-app-id <id>",
        "serve the Aqara-style open API (POST /v3.0/open/api); the Appid its callers sign requests with",
      )
      .option("--aqara-key-id <id>", "the Keyid that app signs with")
      .addOption(
        new Option(
          "--aqara-app-key <key>",
          "the app key requests are signed with. Prefer the environment variable: arguments show in ps",
        ).env("HILFARM_AQARA_APP_KEY"),
      )
      .addOption(
        new Option(
          "--aqara-sdk-app-key <key>",
          "the appKey the UI-SDK initialization answers (default: drawn at start; never the signing key)",
        ).env("HILFARM_AQARA_SDK_APP_KEY"),
      )
      .option("--aqara-port <port>", "port of the open API; 0 = any free port", portOption("aqara-port"), 0)
      .option(
        "--aqara-expires-in <seconds>",
        "lifetime of a UI-SDK token (expiresIn)",
        integerOption("aqara-expires-in", 1, 365 * 24 * 3600),
        DEFAULT_SDK_EXPIRES_IN_S,
      );
  },
  /** The platform's `aqara` section, or nothing without `--aqara-app-id`. */
  platform(options: AqaraCommandOptions, host: string): { aqara?: AqaraOptions } {
    const { aqaraAppId: appId, aqaraKeyId: keyId, aqaraAppKey: appKey, aqaraSdkAppKey: sdkAppKey } = options;
    if (appId === undefined) return {};
    if (keyId === undefined || keyId === "")
      throw new UsageError("aqara-key-id", "--aqara-app-id needs --aqara-key-id");
    if (appKey === undefined || appKey === "")
      throw new UsageError(
        "aqara-app-key",
        "--aqara-app-id needs --aqara-app-key (or HILFARM_AQARA_APP_KEY)",
      );
    const app = {
      appId,
      keyId,
      appKey,
      ...(sdkAppKey === undefined || sdkAppKey === "" ? {} : { sdkAppKey }),
    };
    const apps = [app, ...moreApps(process.env[MORE_APPS_ENV])];
    return { aqara: { apps, port: options.aqaraPort, host, expiresInS: options.aqaraExpiresIn } };
  },
};
