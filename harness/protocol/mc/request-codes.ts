import type { McCode, McPacketRow, Sender } from "./packet-types.ts";

/** The request codes one side sends, as table 5.2.1 lists them. */
export type RequestCodeFrom<S extends Sender> = Extract<
  McPacketRow,
  readonly [number, string, S, "request", number]
>[0];

/** The response code that answers request code `C`, as table 5.2.1 pairs them. */
export type ResponseCodeTo<C extends McCode> = Extract<
  McPacketRow,
  readonly [C, string, Sender, "request", number]
>[4];

/** 5.2: the channel layer's requests (login, connect, heartbeat); everything else is the business layer. */
export type ChannelRequestCode = Extract<
  McPacketRow,
  readonly [number, "LoginRequest" | "ConnectRequest" | "HeartbeatRequest", Sender, "request", number]
>[0];

/** The business-layer request codes one side sends (5.4.3). */
export type BusinessRequestCodeFrom<S extends Sender> = Exclude<RequestCodeFrom<S>, ChannelRequestCode>;
