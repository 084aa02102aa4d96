export * from "./embedded-broker.ts";
