import fc from "fast-check";
import { CipherKey, encrypt } from "../../../cts/crypto.ts";
import { FRAME_PREFIX, FRAME_TERMINATOR } from "../../../cts/envelope.ts";
import { openEnvelope } from "../../codec.ts";
import { type McCode, mcCodes, packetType } from "../../packet-types.ts";
import type { HostileKeys } from "./kinds.ts";

/** Frame lines, and bodies sealed with keys the target knows so that they get past decryption. */

export const CRLF = Buffer.from(FRAME_TERMINATOR, "ascii");
export const PREFIX = Buffer.from(FRAME_PREFIX, "ascii");

/** `CTS` + text + CRLF. */
export const line = (text: string | Buffer): Buffer =>
  Buffer.concat([PREFIX, typeof text === "string" ? Buffer.from(text, "utf8") : text, CRLF]);

/** A context in which a body is sealed so the target can decrypt it. */
export interface SealContext {
  code: McCode;
  key: CipherKey;
  /** Clear envelope fields, as JSON text pieces in the spec's order (without code and data). */
  clear: string;
  validBodies: boolean;
}

const deviceSentAfterLogin = mcCodes.filter((c) => packetType(c).sender === "device" && c !== 1002);

/** Every context the keys open: a 1002 under each PIN, any code under each live session's key. */
export function contextsOf(keys: readonly HostileKeys[]): fc.Arbitrary<SealContext> | undefined {
  const contexts: fc.Arbitrary<SealContext>[] = [];
  for (const k of keys) {
    const pinKey = CipherKey.fromPin(k.pin);
    contexts.push(
      fc.constant({
        code: 1002,
        key: pinKey,
        clear: `"deviceId":${JSON.stringify(k.deviceId)}`,
        validBodies: k.validBodies,
      }),
    );
    if (k.token !== undefined && k.sessionKey !== undefined) {
      const sessionKey = CipherKey.fromSessionKey(k.sessionKey);
      const clear = `"token":${JSON.stringify(k.token)}`;
      contexts.push(
        fc
          .constantFrom(...deviceSentAfterLogin, ...mcCodes)
          .map((code) => ({ code, key: sessionKey, clear, validBodies: k.validBodies })),
      );
    }
  }
  return contexts.length === 0 ? undefined : fc.oneof(...contexts);
}

/** `CTS{"code":…,<clear>,"data":…}` + CRLF around a body text sealed in `context`. */
export function sealed(context: SealContext, body: string | Buffer): Buffer {
  const plaintext = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const data = encrypt(context.key, plaintext).toString("base64");
  return line(`{"code":${context.code},${context.clear},"data":"${data}"}`);
}

/**
 * Makes sure a body sealed with the keys of a device that must keep its session fails its schema: a duplicate
 * `"sequence":null` at the end wins in JSON.parse, and every Mc body requires a string `sequence`.
 */
export function guarded(context: SealContext, body: string | Buffer): Buffer {
  if (context.validBodies) return sealed(context, body);
  const frame = sealed(context, body);
  const text = frame.subarray(PREFIX.length, frame.length - CRLF.length);
  const envelope = { code: context.code, data: JSON.parse(text.toString("utf8")).data as string };
  try {
    if (!openEnvelope(envelope, context.key).ok) return frame;
  } catch {
    // A decoder that throws is what the fuzz is for: the frame is hostile enough as it is.
    return frame;
  }
  const source = typeof body === "string" ? body : body.toString("utf8");
  const end = source.lastIndexOf("}");
  return sealed(context, `${source.slice(0, end)},"sequence":null${source.slice(end)}`);
}
