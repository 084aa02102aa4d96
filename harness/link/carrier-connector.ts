import type { WireError } from "../errors.ts";
import { type CarrierLink, deliverGuarded } from "./carrier-link.ts";
import type { Connector, Link } from "./socket-link.ts";

/**
 * A connector for a device behind a carrier link (an emulated device on a serial port or MQTT topics): every link it
 * opens, to the login server or a connection server, is the same stream, one at a time. A stream has no connections,
 * so nothing tells the device when the far end gives up: as over UDP, it finds out by answers not coming. While the
 * stream is down, opening fails and the open link closes. A listener that throws closes the link it listens on (with
 * a process warning) instead of taking the process down.
 */
export function carrierConnector(stream: CarrierLink): Connector {
  let current: { lines: Array<(line: Buffer) => void>; close: () => void } | undefined;
  stream.onLine((line) => {
    const entry = current;
    if (entry !== undefined) deliverGuarded(entry.lines, line, entry.close);
  });
  stream.onDown(() => current?.close());
  return {
    open: async (transport) => {
      if (!stream.up) throw new Error(`${stream.description} is down`);
      current?.close();
      const lines: Array<(line: Buffer) => void> = [];
      const closes: Array<() => void> = [];
      let closed = false;
      const entry = {
        lines,
        close: () => {
          if (closed) return;
          closed = true;
          if (current === entry) current = undefined;
          deliverGuarded(closes, undefined, () => undefined);
        },
      };
      current = entry;
      const link: Link = {
        transport,
        send: (frame) => {
          if (!closed) stream.send(frame);
        },
        close: entry.close,
        onLine: (listener) => lines.push(listener),
        onBadFrame: (_listener: (error: WireError) => void) => undefined,
        onClose: (listener) => closes.push(listener),
      };
      return link;
    },
  };
}
