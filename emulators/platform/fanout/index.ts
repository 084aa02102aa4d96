export * from "./fanout.ts";
export * from "./outlet.ts";
