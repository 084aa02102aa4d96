export * from "./endpoints.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./password-crypto.ts";
export * from "./signing.ts";
export * from "./ticket.ts";
export * from "./token.ts";
export * from "./verify.ts";
