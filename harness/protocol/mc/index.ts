export * from "../cts/index.ts";
export * from "./codec.ts";
export * from "./envelope.ts";
export * from "./packet-types.ts";
export * from "./result-codes.ts";
export * from "./schemas/index.ts";
export * from "./sequence.ts";
export * from "./stream-decoder.ts";
