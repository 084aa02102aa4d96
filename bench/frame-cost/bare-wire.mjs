// What the bare floors (bare-heartbeat.mjs, bare-login.mjs) share, written for the benchmarks from the spec with
// node:crypto only: no hilfarm code.
//   5.2: a frame is `CTS` + the envelope JSON + CRLF;
//   5.2.2: the body is AES-128-CBC (PKCS#7) under the frame's key and IV, Base64 in `data`.
import { createCipheriv, createDecipheriv } from "node:crypto";

export function seal(key, iv, body) {
  const cipher = createCipheriv("aes-128-cbc", key, iv);
  return Buffer.concat([cipher.update(JSON.stringify(body), "utf8"), cipher.final()]).toString("base64");
}

export function open(key, iv, data) {
  const decipher = createDecipheriv("aes-128-cbc", key, iv);
  return JSON.parse(Buffer.concat([decipher.update(data, "base64"), decipher.final()]).toString("utf8"));
}

export const frame = (envelope) => `CTS${JSON.stringify(envelope)}\r\n`;

/** Calls `onLine` with each CRLF-terminated line (without `CTS` and CRLF) of a byte stream. */
export function lines(socket, onLine) {
  let pending = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk) => {
    pending += chunk;
    let end = pending.indexOf("\r\n");
    while (end >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      if (line.startsWith("CTS")) onLine(line.slice(3));
      end = pending.indexOf("\r\n");
    }
  });
}

export const seconds = () => Math.floor(Date.now() / 1000);
