import type { LanCloseReason } from "./lan-session.ts";

/** What a device's LAN side counts: every datagram and frame it drops, every client it closes, and why. */
export interface LanCounters {
  /** 6.2.1 searches answered. */
  answers: number;
  /** Searches for another model, left unanswered. */
  otherModel: number;
  /** Datagrams that are no `data_search`, dropped. */
  malformedSearches: number;
  /** Control clients accepted. */
  clients: number;
  /** Control clients turned away because the device was off. */
  refusedClients: number;
  authenticated: number;
  /** Frames on the control port that decode to nothing, dropped without an answer. */
  droppedFrames: number;
  /** Spontaneous posts sent (one per client). */
  posts: number;
  closed: Record<LanCloseReason, number>;
}

export function newLanCounters(): LanCounters {
  return {
    answers: 0,
    otherModel: 0,
    malformedSearches: 0,
    clients: 0,
    refusedClients: 0,
    authenticated: 0,
    droppedFrames: 0,
    posts: 0,
    closed: {
      "auth-refused": 0,
      "not-authenticated": 0,
      "auth-deadline": 0,
      "lan-key-expired": 0,
      "frame-too-long": 0,
    },
  };
}
