export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./open-api-auth.ts";
export * from "./push-answer.ts";
export * from "./push-headers.ts";
export * from "./push-message.ts";
export * from "./push-signature.ts";
