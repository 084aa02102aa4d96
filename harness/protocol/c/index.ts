export * from "./codec.ts";
export * from "./errors.ts";
export * from "./interfaces.ts";
export * from "./records.ts";
export * from "./result-codes.ts";
export * from "./token.ts";
export * from "./types.ts";
