export * from "./discovery.ts";
export * from "./errors.ts";
export * from "./lan-frame.ts";
export * from "./lan-key.ts";
export * from "./messages.ts";
export * from "./result-codes.ts";
