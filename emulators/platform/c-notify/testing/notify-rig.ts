import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import type { VirtualClock } from "../../../../harness/clock/virtual-clock.ts";
import { type ClientMaterial, tlsRequest } from "../../../../harness/tls/mutual-tls.ts";
import type { Platform, PlatformOptions } from "../../platform.ts";
import { startTestPlatform } from "../../testing/fixtures.ts";

export const PLATFORM_ID = "hilfarm-smart-home";
export const PLATFORM_KEY = "k3y-exchanged-offline-7f2a";
/** `YYYYMMDDHHMMSS` + 4 digits (7.3). */
export const SEQ = "202601011200000001";

export interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** A platform with the C11-C18 server on a test PKI in `dir`, its logs kept, and a client with the PKI's certificate. */
export interface NotifyRig {
  platform: Platform;
  clock: VirtualClock;
  https: string;
  /** The PKI's CA, client certificate and key. */
  client: ClientMaterial;
  /** Every log line, as written (debug and up). */
  logs: string[];
  post(path: string, body: unknown, material?: ClientMaterial): Promise<Answer>;
  /** A C11 token with the configured credentials. */
  token(): Promise<string>;
  /** `GET` on the platform's HTTP API. */
  api(path: string): Promise<unknown>;
}

export async function startNotifyRig(
  dir: string,
  clock: VirtualClock,
  interop: Partial<NonNullable<PlatformOptions["interop"]>> = {},
): Promise<NotifyRig> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const platform = await startTestPlatform(clock, {
    logger: pino({ level: "debug" }, sink),
    interop: {
      platformId: PLATFORM_ID,
      platformKey: PLATFORM_KEY,
      tls: { dir },
      port: 0,
      host: "127.0.0.1",
      ...interop,
    },
  });
  const https = platform.addresses.surfaces["c-notify"]?.https ?? "";
  const client: ClientMaterial = {
    ca: await readFile(join(dir, "ca.pem"), "utf8"),
    cert: await readFile(join(dir, "client.pem"), "utf8"),
    key: await readFile(join(dir, "client-key.pem"), "utf8"),
  };
  const post = async (path: string, body: unknown, material: ClientMaterial = client) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const headers = { "content-type": "application/json" };
    const res = await tlsRequest(`${https}${path}`, { method: "POST", headers, body: text }, material);
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
  };
  return {
    platform,
    clock,
    https,
    client,
    logs,
    post,
    token: async () => {
      const answer = await post("/notify/token", {
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        sequenceNo: SEQ,
      });
      return String(answer.json.access_token);
    },
    api: async (path) => (await fetch(`${platform.addresses.http}${path}`)).json(),
  };
}
