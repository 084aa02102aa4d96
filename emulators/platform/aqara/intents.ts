import { DEFAULT_INTENTS, type SdkInitParams } from "../../../harness/protocol/aqara/envelope.ts";
import { AqaraError } from "../../../harness/protocol/aqara/errors.ts";
import type { OpenApiCaller } from "../../../harness/protocol/aqara/open-api-request.ts";
import type { SdkTokenBook } from "../../../harness/protocol/aqara/sdk-token.ts";
import type { Random } from "../../../harness/random/random.ts";
import type { DeviceRecord, StateStore } from "../state-store.ts";

/** The intents the surface serves by default: the seed's two (names are hilfarm's reading) and one that needs a token. */
export const AQARA_INTENTS = {
  ...DEFAULT_INTENTS,
  /** A token-protected query, so that an expired or notified token can be seen to stop working. */
  deviceInfo: "query.device.info",
} as const;

export type AqaraIntentName = keyof typeof AQARA_INTENTS;

/** One request that passed the header checks: who signed it, its `data`, the platform's time. */
export interface AqaraCall {
  readonly caller: OpenApiCaller;
  readonly data: Readonly<Record<string, unknown>>;
  readonly now: number;
}

export type AqaraHandler = (call: AqaraCall) => unknown;

/** What an app's UI-SDK is initialized with, besides its token. */
export interface SdkApp {
  readonly userId: string;
  readonly sdkAppKey: string;
}

export interface AqaraIntentDeps {
  readonly tokens: SdkTokenBook;
  readonly random: Random;
  readonly store: StateStore;
  readonly apps: ReadonlyMap<string, SdkApp>;
  /** The surface's base URL (`appRequestDomain`), known once it listens. */
  domain(): string;
  readonly sdk: { positionId: string; baseH5Url?: string; baseImageUrl?: string };
}

/** At most this many device ids in one `query.device.info`. */
const MAX_DIDS = 100;

function sdkInit(deps: AqaraIntentDeps): AqaraHandler {
  return ({ caller, now }) => {
    const app = deps.apps.get(caller.appId);
    if (app === undefined) throw new AqaraError("unknownApp", `app ${JSON.stringify(caller.appId)}`, "Appid");
    const { token, expiresIn } = deps.tokens.issue(
      { appId: caller.appId, userId: app.userId },
      now,
      deps.random,
    );
    const domain = deps.domain();
    const params: SdkInitParams = {
      userId: app.userId,
      token,
      appRequestDomain: domain,
      expiresIn,
      positionId: deps.sdk.positionId,
      baseH5Url: deps.sdk.baseH5Url ?? `${domain}/h5/`,
      baseImageUrl: deps.sdk.baseImageUrl ?? `${domain}/images/`,
      appId: caller.appId,
      appKey: app.sdkAppKey,
    };
    return params;
  };
}

function tokenExpired(deps: AqaraIntentDeps): AqaraHandler {
  return ({ caller, data, now }) => {
    const { token } = data;
    if (token === undefined || token === "") throw new AqaraError("missingParameter", "data.token", "token");
    if (typeof token !== "string")
      throw new AqaraError("illegalParameter", `data.token: a String expected, got ${typeof token}`, "token");
    const expired = deps.tokens.expire(caller.appId, token, now);
    if (!expired.ok) throw expired.error;
    return undefined;
  };
}

function deviceOf(record: DeviceRecord, positionId: string) {
  return {
    did: record.deviceId,
    parentDid: record.parentId ?? "",
    model: record.model ?? "",
    state: record.online ? 1 : 0,
    firmwareVersion: record.version.device ?? "",
    positionId,
  };
}

function deviceInfo(deps: AqaraIntentDeps): AqaraHandler {
  return ({ caller, data, now }) => {
    const token = deps.tokens.check(caller.appId, caller.accessToken, now, "Accesstoken");
    if (!token.ok) throw token.error;
    const { dids } = data;
    if (
      dids !== undefined &&
      (!Array.isArray(dids) || dids.length > MAX_DIDS || dids.some((d) => typeof d !== "string"))
    )
      throw new AqaraError(
        "illegalParameter",
        `data.dids: up to ${MAX_DIDS} device ids (Strings) expected`,
        "dids",
      );
    const wanted = dids === undefined ? undefined : new Set(dids as string[]);
    const devices = deps.store
      .all()
      .filter((record) => wanted === undefined || wanted.has(record.deviceId))
      .map((record) => deviceOf(record, deps.sdk.positionId));
    return { data: devices, totalCount: devices.length };
  };
}

/** Intent name -> handler, the names over `AQARA_INTENTS` as the options give them. */
export function aqaraHandlers(
  deps: AqaraIntentDeps,
  names: Partial<Record<AqaraIntentName, string>> = {},
): ReadonlyMap<string, AqaraHandler> {
  const intents = { ...AQARA_INTENTS, ...names };
  return new Map([
    [intents.sdkInit, sdkInit(deps)],
    [intents.tokenExpired, tokenExpired(deps)],
    [intents.deviceInfo, deviceInfo(deps)],
  ]);
}
