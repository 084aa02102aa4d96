import type { WireError } from "../errors.ts";
import type { Connector, Link } from "./socket-link.ts";

/** The far end of an in-memory link: what the device sent, and a way to send it frames or hang up. */
export interface MemoryPeer {
  readonly transport: "tcp" | "udp";
  readonly address: string;
  /** Frames the device sent, in order. */
  readonly received: Buffer[];
  deliver(line: Buffer): void;
  hangUp(): void;
  readonly closed: boolean;
}

/** A connector whose links end in memory (`mem://`): for unit tests of anything that speaks over a link. */
export function memoryConnector(): { connector: Connector; peers: MemoryPeer[] } {
  const peers: MemoryPeer[] = [];
  const connector: Connector = {
    open: async (transport, address) => {
      const lines: Array<(line: Buffer) => void> = [];
      const closes: Array<() => void> = [];
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        for (const l of closes) l();
      };
      const received: Buffer[] = [];
      peers.push({
        transport,
        address,
        received,
        deliver: (line) => {
          if (!closed) for (const l of lines) l(line);
        },
        hangUp: close,
        get closed() {
          return closed;
        },
      });
      const link: Link = {
        transport,
        send: (frame) => {
          if (!closed) received.push(frame);
        },
        close,
        onLine: (l) => lines.push(l),
        onBadFrame: (_l: (error: WireError) => void) => undefined,
        onClose: (l) => closes.push(l),
      };
      return link;
    },
  };
  return { connector, peers };
}
