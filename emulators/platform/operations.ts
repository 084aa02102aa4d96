import { UsageError } from "../../harness/errors.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { FRAME_TERMINATOR } from "../../harness/protocol/cts/envelope.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import type { BodyOf, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { formatSequence, MAX_SEQUENCE } from "../../harness/protocol/mc/sequence.ts";
import type { ThirdPartyOperations } from "./c-interop/third-party-operations.ts";
import { PlatformError } from "./errors.ts";
import type { FirmwareStore } from "./firmware/firmware.ts";
import type { PlatformTiming } from "./options.ts";
import {
  DeviceRequestError,
  type DeviceSession,
  type PlatformRequestCode,
  type ResponseTo,
} from "./session.ts";
import type { DeviceRecord, StateStore } from "./state-store.ts";

export interface OperationsDependencies {
  timing: PlatformTiming;
  store: StateStore;
  firmware: FirmwareStore;
  /** The open session of a device, if it has one. */
  sessionOf: (deviceId: string) => DeviceSession | undefined;
  /** Base URL of the platform's HTTP server, for firmware links. */
  httpBase: () => string;
  /** State reports the device has made so far. */
  reportsSoFar: (deviceId: string) => number;
  /** Resolves true when the device's next state report is stored within `ms`, false when it is not. */
  waitForStateReport: (deviceId: string, ms: number) => Promise<boolean>;
  /** Marks a sub-device unbound (and offline, fanned out). */
  markUnbound: (deviceId: string) => void;
  /** The frame limit devices apply (and the platform's own): a request whose frame would pass it is not sent. */
  maxFrameLength: number;
  /** Chapter 7: where operations on a device behind the third-party platform go (C27, C28, C31, C25). */
  thirdParty: () => ThirdPartyOperations | undefined;
}

export interface ControlCommand {
  serialId: string;
  cmd: Array<{ cmdName: string; cmdParam: string }>;
}

export interface UpgradeOrder {
  version: string;
  /** A firmware file the platform serves (its URL and MD5 are filled in), or `url` + `md5` given directly. */
  firmware?: string;
  url?: string;
  md5?: string;
  /** Upgrade this module instead of the device's own firmware (one of the two per notice). */
  module?: string;
}

/**
 * What an app backend asks of the platform (the northbound API and scenarios share it): each operation sends the
 * device its request through the gateway when the target is a sub-device, and maps failures to `PlatformError`.
 */
export class PlatformOperations {
  constructor(private readonly deps: OperationsDependencies) {}

  /** 2005 -> 2004; then waits up to 10 s for the state report the control causes (5.4.3.2). */
  async control(deviceId: string, command: ControlCommand) {
    const viaThirdParty = this.viaThirdParty(deviceId);
    if (viaThirdParty !== undefined) return viaThirdParty.control(deviceId, command);
    const session = this.route(deviceId);
    const before = this.deps.reportsSoFar(deviceId);
    const response = await this.call(
      session,
      2005,
      { deviceId, serialId: command.serialId, cmd: command.cmd },
      command,
    );
    return {
      result: response.result,
      dscp: response.dscp,
      ...(await this.stateIfReported(deviceId, response.result, before)),
    };
  }

  /** 2003 -> 2002; then waits up to 10 s for the state report (5.4.3.1). */
  async query(deviceId: string) {
    const viaThirdParty = this.viaThirdParty(deviceId);
    if (viaThirdParty !== undefined) return viaThirdParty.query(deviceId);
    const session = this.route(deviceId);
    const before = this.deps.reportsSoFar(deviceId);
    const response = await this.call(session, 2003, { deviceId });
    return { result: response.result, ...(await this.stateIfReported(deviceId, response.result, before)) };
  }

  /** 2031 -> 2030 (5.4.3.4). */
  async manageResources(deviceId: string, resourceSerials: BodyOf<2031>["resourceSerials"]) {
    const viaThirdParty = this.viaThirdParty(deviceId);
    if (viaThirdParty !== undefined) return viaThirdParty.manageResources(deviceId, resourceSerials);
    const response = await this.call(
      this.route(deviceId),
      2031,
      { deviceId, resourceSerials },
      { resourceSerials },
    );
    return { result: response.result };
  }

  /** 2001 -> 2000 (docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)"). */
  async constrain(deviceId: string, asc: Record<string, "0" | "1">) {
    const response = await this.call(this.route(deviceId), 2001, { deviceId, asc }, { asc });
    if (response.result === 0) this.deps.store.setConstraints(deviceId, asc);
    return { result: response.result };
  }

  /** 2025 -> 2024 (5.4.3.15); the 2026 result arrives later as an event. */
  async upgrade(deviceId: string, order: UpgradeOrder) {
    const session = this.route(deviceId);
    let url = order.url;
    let md5 = order.md5;
    if (order.firmware !== undefined) {
      const file = this.deps.firmware.get(order.firmware);
      if (file === undefined)
        throw new PlatformError(
          "UNKNOWN_FIRMWARE",
          `no firmware file named ${JSON.stringify(order.firmware)}`,
        );
      url = `${this.deps.httpBase()}/firmware/${encodeURIComponent(file.name)}`;
      md5 ??= file.md5;
    }
    if (url === undefined || md5 === undefined) {
      throw new PlatformError(
        "BAD_REQUEST",
        "upgrade needs `firmware` (a served file) or both `url` and `md5`",
      );
    }
    const target = { version: order.version, url, md5 };
    const body =
      order.module === undefined
        ? { deviceId, device: target }
        : { deviceId, modules: [{ name: order.module, ...target }] };
    const response = await this.call(session, 2025, body, { ...order, url });
    return { result: response.result, url, md5 };
  }

  /** 2015 -> 2014 (5.4.3.10): the platform unbinds a sub-device from its gateway. */
  async unbind(gatewayId: string, subDeviceId: string) {
    const viaThirdParty = this.viaThirdParty(subDeviceId);
    if (viaThirdParty !== undefined) return viaThirdParty.unbindSubDevice(gatewayId, subDeviceId);
    const sub = this.record(subDeviceId);
    if (sub.parentId !== gatewayId) {
      throw new PlatformError("UNKNOWN_DEVICE", `${subDeviceId} is not a sub-device of ${gatewayId}`);
    }
    const session = this.deps.sessionOf(gatewayId);
    if (session === undefined) throw new PlatformError("OFFLINE", `gateway ${gatewayId} is offline`);
    const response = await this.call(session, 2015, { deviceId: gatewayId, subDeviceId }, { subDeviceId });
    if (response.result === 0) this.deps.markUnbound(subDeviceId);
    return { result: response.result };
  }

  /** The third party's operations when the device lives behind it (7.2 step 4), else undefined. */
  private viaThirdParty(deviceId: string): ThirdPartyOperations | undefined {
    if (this.record(deviceId).via !== "third-party") return undefined;
    const operations = this.deps.thirdParty();
    if (operations === undefined)
      throw new PlatformError(
        "NO_THIRD_PARTY",
        `${deviceId} lives behind the third-party platform, and this platform has no --third-party-url to reach it`,
      );
    return operations;
  }

  private record(deviceId: string): DeviceRecord {
    const record = this.deps.store.get(deviceId);
    if (record === undefined)
      throw new PlatformError("UNKNOWN_DEVICE", `no device ${JSON.stringify(deviceId)} in the registry`);
    return record;
  }

  /** A device's own session, or its gateway's for an online sub-device. */
  private route(deviceId: string): DeviceSession {
    const record = this.record(deviceId);
    const session = this.deps.sessionOf(record.parentId ?? deviceId);
    if (session === undefined || !record.online || record.unbound) {
      throw new PlatformError("OFFLINE", `${deviceId} is offline`);
    }
    return session;
  }

  private async call<C extends PlatformRequestCode>(
    session: DeviceSession,
    code: C,
    body: Parameters<DeviceSession["request"]>[1] & Record<string, unknown>,
    /** What the caller gave, to name the field to blame when the frame would be too long. */
    input: unknown = {},
  ): Promise<ResponseTo<C>> {
    this.checkFrame(code, body, input, session.channel.transport);
    try {
      return await session.request(code, body as never);
    } catch (error) {
      if (error instanceof DeviceRequestError) {
        throw new PlatformError(
          error.code === "DEVICE_TIMEOUT" ? "DEVICE_TIMEOUT" : "OFFLINE",
          error.message,
        );
      }
      throw error;
    }
  }

  /**
   * Refuses, before anything is sent, a request the device could not take: one whose body fails the message's schema
   * (a caller's mistake, 400) or whose frame would pass `maxFrameLength` (the device would drop it, and with it its
   * session). The frame is encoded as the session will encode it, with the widest sequence and time, so the real
   * frame is never longer than the one measured.
   */
  private checkFrame(
    code: PlatformRequestCode,
    body: Record<string, unknown>,
    input: unknown,
    transport: "tcp" | "udp",
  ): void {
    let length: number;
    try {
      length = requestFrameLength(code, body);
    } catch (error) {
      if (error instanceof UsageError) throw new PlatformError("BAD_REQUEST", error.message);
      throw error;
    }
    // Over UDP a frame and its CRLF must also fit one datagram (5.2: a datagram carries one frame).
    const datagramBound = transport === "udp" && UDP_MAX_FRAME < this.deps.maxFrameLength;
    const limit = datagramBound ? UDP_MAX_FRAME : this.deps.maxFrameLength;
    if (length > limit) {
      throw new PlatformError(
        "FRAME_TOO_LONG",
        `${longestStringPath(input)}: the ${code} frame would be ${length.toLocaleString("en")} bytes, over the ` +
          `${limit.toLocaleString("en")}-byte frame limit (${datagramBound ? "one UDP datagram" : "maxFrameLength"})`,
      );
    }
  }

  /** 5.4.3.1-2: the state report must come within 10 s of the device's answer (not of the first send). */
  private async stateIfReported(deviceId: string, result: number, reportsBefore: number) {
    if (result !== 0) return {};
    const reported =
      this.deps.reportsSoFar(deviceId) > reportsBefore ||
      (await this.deps.waitForStateReport(deviceId, this.deps.timing.stateReportWaitMs));
    return reported ? { state: this.deps.store.get(deviceId)?.status } : { state: null };
  }
}

/** A stand-in session key: the length of a sealed body depends on the plaintext's length only (AES-CBC, PKCS#7). */
const MEASURING_KEY = CipherKey.fromSessionKey("0".repeat(16));
/** A 10-digit Unix time, as wide as `time` gets until the year 2286. */
const WIDEST_TIME = 9_999_999_999;
/** The frame limit applies to the line without its CRLF (as the frame splitter counts). */
const FRAME_TERMINATOR_LENGTH = FRAME_TERMINATOR.length;

/** The longest frame, CRLF excluded, that fits one IPv4 UDP datagram (65,507 bytes of payload). */
export const UDP_MAX_FRAME = 65_507 - FRAME_TERMINATOR_LENGTH;

/**
 * Length (CRLF excluded, as the frame limit counts) of the frame a session sends for a platform request with this body,
 * at its widest: the sequence and time the session adds are given their widest values. Throws `UsageError` when the
 * body fails the message's schema.
 */
export function requestFrameLength(code: PlatformRequestCode, body: Record<string, unknown>): number {
  const message = {
    code,
    body: { sequence: formatSequence(MAX_SEQUENCE), ...body, time: WIDEST_TIME },
  } as unknown as McMessage;
  return encodeFrame(message, { key: MEASURING_KEY }).length - FRAME_TERMINATOR_LENGTH;
}

/**
 * Dotted path (`cmd.0.cmdParam`) of the longest string in `value`, the likeliest cause of an oversized frame; an
 * object key counts for the object that holds it. `body` when there is no string, or the value itself is one.
 */
export function longestStringPath(value: unknown): string {
  let best = { path: [] as string[], length: -1 };
  const walk = (v: unknown, path: string[], depth: number): void => {
    if (typeof v === "string") {
      if (v.length > best.length) best = { path, length: v.length };
      return;
    }
    if (v === null || typeof v !== "object" || depth > 64) return;
    for (const [key, child] of Object.entries(v)) {
      if (key.length > best.length) best = { path, length: key.length };
      walk(child, [...path, key], depth + 1);
    }
  };
  walk(value, [], 0);
  return best.path.join(".") || "body";
}
