import { fail, ok, type Result, showValue, UsageError } from "../../errors.ts";
import { type MdStructError, structError } from "./errors.ts";
import { StructReader } from "./struct-reader.ts";

/** 6.2.1: the app's search, sent by UDP broadcast (or unicast) to port 7680. */
export interface SearchRequest {
  /** The model searched for; empty: every model. */
  model: string;
  /** The app's clock, seconds. */
  timestamp: number;
  /** The app's platform: 0 for the CT cloud, another value for another. */
  platform: number;
}

/** 6.2.1: a device's answer. */
export interface SearchResponse {
  code: number;
  deviceId: string;
  /** 6 bytes, written `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  model: string;
  /** Format of the LAN messages: 0 is JSON, the only one defined. */
  protocol: number;
  /** 1 supported, 2 not supported, 0 not yet authorised. */
  lanControl: number;
  /** 1 while waiting to be added (the 120 s after a power-on while unconfigured), else 0. */
  onConfig: number;
  /** Valid only while `onConfig` is 1; 0 otherwise. */
  bindKey: bigint;
}

/**
 * Where the three one-byte flags sit: the struct of 6.2.1 reads `protocol`, `lanControl`, `onConfig`; its field
 * table lists `lanControl`, `protocol`, `onConfig` (docs/protocol-readings.md, "Md, the LAN interface (6)").
 */
export type FlagOrder = "struct" | "field-table";
export const flagOrders: readonly FlagOrder[] = ["struct", "field-table"];
export const DEFAULT_FLAG_ORDER: FlagOrder = "struct";

type Flag = "protocol" | "lanControl" | "onConfig";
const orderOf: Record<FlagOrder, readonly Flag[]> = {
  struct: ["protocol", "lanControl", "onConfig"],
  "field-table": ["lanControl", "protocol", "onConfig"],
};

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function textBytes(field: string, value: string, allowEmpty: boolean): Buffer {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > 255 || (!allowEmpty && bytes.length === 0)) {
    throw new UsageError(
      field,
      `${field}: 1-255 bytes (u8 length), got ${bytes.length}: ${showValue(value)}`,
    );
  }
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function u8(field: string, value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new UsageError(field, `${field}: a u8, got ${showValue(value)}`);
  }
  return Buffer.from([value]);
}

function be(field: string, value: number, bytes: 2 | 4): Buffer {
  const max = bytes === 2 ? 0xffff : 0xffffffff;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new UsageError(field, `${field}: a u${bytes * 8}, got ${showValue(value)}`);
  }
  const out = Buffer.alloc(bytes);
  if (bytes === 2) out.writeUInt16BE(value);
  else out.writeUInt32BE(value);
  return out;
}

export function encodeSearchRequest(request: SearchRequest): Buffer {
  return Buffer.concat([
    textBytes("model", request.model, true),
    be("timestamp", request.timestamp, 4),
    be("platform", request.platform, 2),
  ]);
}

/** Bytes of a datagram -> the search, or a typed error. Total: never throws. */
export function decodeSearchRequest(bytes: Uint8Array): Result<SearchRequest, MdStructError> {
  const r = new StructReader(bytes, "data_search");
  const model = r.text("modelLength", "model");
  if (!model.ok) return model;
  const timestamp = r.u32("timestamp");
  if (!timestamp.ok) return timestamp;
  const platform = r.u16("platform");
  if (!platform.ok) return platform;
  const end = r.end();
  if (!end.ok) return end;
  return ok({ model: model.value, timestamp: timestamp.value, platform: platform.value });
}

export function encodeSearchResponse(
  response: SearchResponse,
  flagOrder: FlagOrder = DEFAULT_FLAG_ORDER,
): Buffer {
  if (!MAC.test(response.mac))
    throw new UsageError("mac", `mac: aa:bb:cc:dd:ee:ff, got ${showValue(response.mac)}`);
  if (response.bindKey < 0n || response.bindKey > 0xffffffffffffffffn) {
    throw new UsageError("bindKey", `bindKey: a u64, got ${response.bindKey}`);
  }
  const bindKey = Buffer.alloc(8);
  bindKey.writeBigUInt64BE(response.bindKey);
  return Buffer.concat([
    be("code", response.code, 2),
    textBytes("deviceId", response.deviceId, false),
    // protocol decision: mac right after deviceId, as the field table lists it.
    Buffer.from(response.mac.replaceAll(":", ""), "hex"),
    textBytes("model", response.model, false),
    ...orderOf[flagOrder].map((flag) => u8(flag, response[flag])),
    bindKey,
  ]);
}

/** Bytes of a datagram -> a device's answer, or a typed error. Total: never throws. */
export function decodeSearchResponse(
  bytes: Uint8Array,
  flagOrder: FlagOrder = DEFAULT_FLAG_ORDER,
): Result<SearchResponse, MdStructError> {
  const r = new StructReader(bytes, "data_response");
  const code = r.u16("code");
  if (!code.ok) return code;
  const deviceId = r.text("deviceIdLength", "deviceId");
  if (!deviceId.ok) return deviceId;
  const mac = r.bytesOf("mac", 6);
  if (!mac.ok) return mac;
  const model = r.text("modelLength", "model");
  if (!model.ok) return model;
  const flags: Partial<Record<Flag, number>> = {};
  for (const flag of orderOf[flagOrder]) {
    const value = r.u8(flag);
    if (!value.ok) return value;
    flags[flag] = value.value;
  }
  const bindKey = r.u64("bindKey");
  if (!bindKey.ok) return bindKey;
  const end = r.end();
  if (!end.ok) return end;
  const response: SearchResponse = {
    code: code.value,
    deviceId: deviceId.value,
    mac: [...mac.value].map((b) => b.toString(16).padStart(2, "0")).join(":"),
    model: model.value,
    protocol: flags.protocol ?? 0,
    lanControl: flags.lanControl ?? 0,
    onConfig: flags.onConfig ?? 0,
    bindKey: bindKey.value,
  };
  const inconsistent = inconsistency(response);
  return inconsistent === undefined ? ok(response) : fail(inconsistent);
}

/** The rules of 6.2.1 between fields: what a well-formed answer cannot say. */
function inconsistency(response: SearchResponse): MdStructError | undefined {
  if (response.deviceId.length === 0)
    return structError("BAD_FIELD", "data_response deviceId: empty", "deviceId");
  if (response.model.length === 0) return structError("BAD_FIELD", "data_response model: empty", "model");
  if (response.lanControl > 2) {
    return structError(
      "BAD_FIELD",
      `data_response lanControl: 0, 1 or 2, got ${response.lanControl}`,
      "lanControl",
    );
  }
  if (response.onConfig > 1) {
    return structError("BAD_FIELD", `data_response onConfig: 0 or 1, got ${response.onConfig}`, "onConfig");
  }
  if (response.onConfig === 0 && response.bindKey !== 0n) {
    return structError("BAD_FIELD", "data_response bindKey: must be 0 when onConfig is 0", "bindKey");
  }
  return undefined;
}
