import type { McMessage } from "../protocol/mc/schemas/index.ts";

/** A frame a platform received or sent, as evidence sees it. */
export interface PlatformFrameEvent {
  direction: "in" | "out";
  deviceId: string;
  message: McMessage;
  at: number;
  raw?: Uint8Array;
}

/** What a platform emits about its devices: what evidence records and suites watch. */
export interface PlatformEvents<EndReason extends string = string> {
  login: [{ deviceId: string; remote: string }];
  session: [{ deviceId: string; transport: "tcp" | "udp"; remote: string }];
  "session-end": [{ deviceId: string; reason: EndReason }];
  frame: [PlatformFrameEvent];
  /** A login the login server refused, with the frame that caused it: for evidence. */
  "login-refused": [{ outcome: string; raw?: Uint8Array; deviceId?: string; at: number }];
  /** A login on the login server, 1002 in and 1003 out: for evidence (sessions' frames are `frame`). */
  "login-frame": [PlatformFrameEvent];
}
