import { CipherKey } from "../../../cts/crypto.ts";
import type { CtsErrorCode } from "../../../cts/errors.ts";
import type { Envelope } from "../../envelope.ts";
import type { HostileKeys } from "./kinds.ts";

/**
 * What a decoder fuzz runs against (harness/protocol/mc/fuzz.test.ts, bench/fuzz-decoders.ts): one device the
 * decoders know, the platform's key resolver for it, a frame captured from its session, and the error codes a
 * decoder may answer with.
 */

/** The known device: its keys open 1002 bodies (PIN) and session bodies (token and session key). */
export const DECODER_DEVICE: HostileKeys = {
  deviceId: "0000111122223333aaaabbbb",
  pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6",
  token: "Tk7pQ2xW9mLc4Rv8",
  sessionKey: "abcdef0123456789",
  validBodies: true,
};
export const decoderPinKey = CipherKey.fromPin(DECODER_DEVICE.pin);
export const decoderSessionKey = CipherKey.fromSessionKey(DECODER_DEVICE.sessionKey ?? "");

/** The platform's resolver: the PIN of the known device for a 1002, the session key of its token otherwise. */
export const decoderKeyFor = (envelope: Envelope): CipherKey | undefined =>
  envelope.code === 1002
    ? envelope.deviceId === DECODER_DEVICE.deviceId
      ? decoderPinKey
      : undefined
    : envelope.token === DECODER_DEVICE.token
      ? decoderSessionKey
      : undefined;

/** A heartbeat line of the known device's session, as captured from the wire (no CRLF), for replays. */
export const decoderCaptured: readonly Buffer[] = [
  Buffer.from(`CTS{"code":1000,"token":"${DECODER_DEVICE.token}","data":"q3GzvXJ0eXGWn3Kx4dQGdQ=="}`),
];

// Every documented code, checked against the type: a new CtsErrorCode that is missing here fails the typecheck.
const documented = {
  NO_PREFIX: true,
  BAD_JSON: true,
  TOO_DEEP: true,
  BAD_ENVELOPE: true,
  UNKNOWN_CODE: true,
  BAD_BASE64: true,
  DECRYPT_FAILED: true,
  BAD_BODY_JSON: true,
  BAD_BODY: true,
  FRAME_TOO_LONG: true,
  NO_KEY: true,
} satisfies Record<CtsErrorCode, true>;

/** The codes a decoder may answer with: any other code (or a throw) is a crash. */
export const documentedCodes: ReadonlySet<string> = new Set<string>(Object.keys(documented));
