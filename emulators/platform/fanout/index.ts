export * from "./fanout.ts";
