import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { z } from "zod";
import { showValue } from "../../../harness/errors.ts";
import { parseJsonSafely } from "../../../harness/protocol/json-safe.ts";
import { safeParseReporting } from "../../../harness/schema-parse.ts";
import { PlatformError } from "../errors.ts";

/** The HTTP server's environment: Node's request and response, when it runs on Node. */
export type ApiEnv = { Bindings: Partial<HttpBindings> };

/** The request body as it arrives, read from the socket (never buffered whole by the server). */
export function bodyChunks(c: Context<ApiEnv>): AsyncIterable<Uint8Array> {
  const incoming = c.env?.incoming;
  // Not destroyed when the reader stops early: the server then answers (413) and drains or closes the rest.
  if (incoming !== undefined) return incoming.iterator({ destroyOnReturn: false });
  return (c.req.raw.body as AsyncIterable<Uint8Array> | null) ?? noChunks();
}

async function* noChunks(): AsyncGenerator<Uint8Array> {}

export const tooLarge = (limit: number, name: string) =>
  new PlatformError(
    "BODY_TOO_LARGE",
    `request body over the ${limit.toLocaleString("en")}-byte limit (${name})`,
  );

/** The whole body, refused (413) as soon as it passes `limit` bytes. */
export async function readBody(c: Context<ApiEnv>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(c)) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit, "maxHttpBodyBytes");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function parseBody<T>(c: Context<ApiEnv>, limit: number, schema: z.ZodType<T>): Promise<T> {
  let json: unknown = {};
  const text = (await readBody(c, limit)).toString("utf8");
  if (text.trim() !== "") {
    const parsed = parseJsonSafely(text);
    if (!parsed.ok && parsed.tooDeep === true)
      throw new PlatformError("TOO_DEEP", `body: ${parsed.reason} (the JSON nesting limit, MAX_JSON_DEPTH)`);
    if (!parsed.ok) throw new PlatformError("BAD_REQUEST", `request body is not JSON: ${showValue(text)}`);
    json = parsed.value;
  }
  const parsed = safeParseReporting(schema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    const got = issue && "input" in issue ? ` (got ${showValue(issue.input)})` : "";
    throw new PlatformError("BAD_REQUEST", `${field}: ${issue?.message ?? "invalid"}${got}`);
  }
  return parsed.data;
}
