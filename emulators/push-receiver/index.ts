export * from "./misbehaviour.ts";
export * from "./push-record.ts";
export * from "./receiver-server.ts";
export * from "./receiver-state.ts";
