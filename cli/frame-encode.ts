import { showValue, UsageError } from "../harness/errors.ts";
import { CipherKey } from "../harness/protocol/cts/crypto.ts";
import type { Framing } from "../harness/protocol/cts/envelope.ts";
import { encodeFrame } from "../harness/protocol/mc/codec.ts";
import { isMcCode, keyKindFor, type McCode, packetType } from "../harness/protocol/mc/packet-types.ts";
import type { McMessage } from "../harness/protocol/mc/schemas/index.ts";

export interface EncodeRequest {
  code: string;
  body: string;
  pin?: string;
  sessionKey?: string;
  token?: string;
  deviceId?: string;
  framing?: Framing;
}

export function parseCode(text: string): McCode {
  const code = Number(text);
  if (!isMcCode(code))
    throw new UsageError(
      "code",
      `--code must be a packet type of table 5.2.1 (1000-1005, 2000-2033, 3000-3003), got ${showValue(text)}`,
    );
  return code;
}

/** `hilfarm frame encode`: a body JSON and a code -> one frame (CRLF included). */
export function encodeFromCli(request: EncodeRequest): Buffer {
  const code = parseCode(request.code);
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch (error) {
    throw new UsageError(
      "body",
      `body is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const kind = keyKindFor(code);
  const secret = kind === "pin" ? request.pin : request.sessionKey;
  if (secret === undefined) {
    const flag = kind === "pin" ? "--pin" : "--session-key";
    throw new UsageError(
      flag.slice(2),
      `${code} (${packetType(code).name}) is encrypted with the ${kind} key: give ${flag}`,
    );
  }
  const key = kind === "pin" ? CipherKey.fromPin(secret) : CipherKey.fromSessionKey(secret);
  return encodeFrame({ code, body } as McMessage, {
    key,
    ...(request.token === undefined ? {} : { token: request.token }),
    ...(request.deviceId === undefined ? {} : { deviceId: request.deviceId }),
    ...(request.framing === undefined ? {} : { framing: request.framing }),
  });
}
