export * from "./clock.ts";
export * from "./real-clock.ts";
export * from "./virtual-clock.ts";
