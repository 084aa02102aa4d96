import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import type { BusinessRequestCodeFrom, RequestCodeFrom } from "../../harness/protocol/mc/request-codes.ts";
import type { BodyOf, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import type { Misbehaviour } from "./misbehaviour.ts";

/** Requests the platform sends to a device (5.2.1). */
export type PlatformRequest = Extract<McMessage, { code: RequestCodeFrom<"platform"> }>;
/** Requests a device sends after connect (5.2.1, the channel layer's login, connect and heartbeat aside). */
export type DeviceRequestCode = BusinessRequestCodeFrom<"device">;
export type DeviceRequestBody<C extends DeviceRequestCode> = Omit<BodyOf<C>, "sequence" | "time">;

/** What a device model may do while connected. */
export interface DeviceContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly misbehaviour: Misbehaviour;
  /** Sends a request (next sequence, resent after 10 s) and resolves with the platform's response body. */
  request<C extends DeviceRequestCode>(
    code: C,
    body: DeviceRequestBody<C>,
  ): Promise<Record<string, unknown> & { result: number }>;
}

/** The answer to a platform request: response fields (without sequence) and what to do after it is sent. */
export interface Handled {
  fields: { result: number } & Record<string, unknown>;
  /** e.g. the state report that must follow a control within 10 s (5.4.3.2). */
  after?: (ctx: DeviceContext) => Promise<void> | void;
  /** The answer goes out this much later (a gateway's radio tries to a sub-device). */
  delayMs?: number;
}

/**
 * A device's behaviour, separate from the session machine: built from a profile (data), or a gateway that hosts
 * sub-devices built from profiles.
 */
export interface DeviceModel {
  readonly deviceId: string;
  readonly model: string;
  /** Current firmware version, as 1004 `devVersion` and 2022 report it. */
  readonly version: string;
  /** After each (re)connect: full state and resources, version; a gateway also its sub-devices (5.4.2.2). */
  afterConnect(ctx: DeviceContext): Promise<void>;
  handle(request: PlatformRequest, ctx: DeviceContext): Handled;
  /** A code typed at a keypad: the device's own (a lock), or for a gateway one of its sub-devices' (`target`). */
  typeCode?(ctx: DeviceContext, code: string, target: string): Promise<KeypadOutcome>;
}

/** Why a typed code opened nothing. */
export type KeypadRefusal = "unknown" | "frozen" | "not-yet-valid" | "expired";

/** What typing a code at a lock's keypad did. */
export type KeypadOutcome =
  | { readonly kind: "open"; readonly keyId: string; readonly hijack: boolean; readonly singleUse: boolean }
  | {
      readonly kind: "refused";
      readonly reason: KeypadRefusal;
      /** Wrong codes in a row, this one included (0 again once the limit raised its event). */
      readonly wrongInARow: number;
      /** True when this code reached the keypad's `wrongCodeLimit`: the lock raises its wrong-code event. */
      readonly alarm: boolean;
    };
