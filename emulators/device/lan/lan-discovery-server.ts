import { datagramFramer } from "../../../harness/link/framer.ts";
import { listenLinks } from "../../../harness/link/listener.ts";
import type { DiscoveryDecision } from "./discovery-answer.ts";
import type { LanCounters } from "./lan-counters.ts";

/** The longest `data_search` (6.2.1): u8 modelLength, 255 bytes of model, u32 timestamp, u16 platform. */
export const MAX_SEARCH_BYTES = 1 + 255 + 4 + 2;

/** Peers whose datagram is being answered at once; each is forgotten as soon as it is. */
const MAX_PEERS = 64;

export interface LanDiscoveryServer {
  readonly address: string;
  close(): Promise<void>;
}

/**
 * The socket edge of 6.2.1: one datagram in, at most one answer out, to the sender. `decide` says what to answer;
 * undefined while the device is off (no answer, nothing counted).
 */
export async function startLanDiscoveryServer(options: {
  address: string;
  counters: LanCounters;
  decide(datagram: Buffer): DiscoveryDecision | undefined;
}): Promise<LanDiscoveryServer> {
  const { counters } = options;
  const listener = await listenLinks("udp", options.address, {
    framer: datagramFramer(MAX_SEARCH_BYTES),
    maxLinks: MAX_PEERS,
  });
  listener.onLink((link) => {
    link.onLine((datagram) => {
      const decision = options.decide(datagram);
      if (decision?.kind === "answer") {
        link.send(decision.bytes);
        counters.answers++;
      } else if (decision?.kind === "silent") counters.otherModel++;
      else if (decision?.kind === "malformed") counters.malformedSearches++;
      link.close();
    });
    link.onBadFrame(() => {
      counters.malformedSearches++;
      link.close();
    });
  });
  return { address: listener.address, close: () => listener.close() };
}
