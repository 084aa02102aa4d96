export * from "./crypto.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./frame-splitter.ts";
export * from "./packet-table.ts";
