/** Byte-level faults an emulated device can put on its own frames (see `Misbehaviour`). */

/** Flips one byte of the ciphertext inside `data`: the frame still parses, but decryption fails. */
export function corruptCiphertext(frame: Buffer): Buffer {
  const text = frame.toString("utf8");
  const match = /"data":"([A-Za-z0-9+/=]+)"/.exec(text);
  if (match?.[1] === undefined) return garbleFrame(frame);
  const bytes = Buffer.from(match[1], "base64");
  const last = bytes.length - 1;
  // The last block decides the padding: flipping it makes the padding check fail.
  bytes[last] = (bytes[last] ?? 0) ^ 0x5a;
  return Buffer.from(text.replace(match[1], bytes.toString("base64")), "utf8");
}

/** Replaces the `CTS` prefix: the receiver sees a line that is not a frame. */
export function garbleFrame(frame: Buffer): Buffer {
  const copy = Buffer.from(frame);
  copy.write("XTZ", 0, "ascii");
  return copy;
}
