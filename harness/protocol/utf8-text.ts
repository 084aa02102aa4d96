import { isUtf8 } from "node:buffer";

const BYTE_ORDER_MARK = "\uFEFF";
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * What `new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start))` gives (a leading byte order mark
 * dropped), or undefined where it throws; for a `Buffer` (every frame from a socket), without the view and the
 * decoder's objects made per frame. The bytes before `start` must be ASCII (a prefix already checked): a `Buffer` is
 * checked as UTF-8 whole.
 */
export function utf8Text(bytes: Uint8Array, start = 0): string | undefined {
  if (Buffer.isBuffer(bytes)) {
    if (!isUtf8(bytes)) return undefined;
    const text = bytes.toString("utf8", start);
    return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  }
  try {
    return decoder.decode(bytes.subarray(start));
  } catch {
    return undefined;
  }
}
