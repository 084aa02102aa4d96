import { HilfarmError, showValue } from "../../harness/errors.ts";
import type { Random } from "../../harness/random/random.ts";
import type { LanCredentials } from "./lan-client.ts";

/** 6.2.2: the app's random number X, 16 ASCII digits (the first one not 0, so it reads as a 16-digit number too). */
export function newLanRand(random: Random): string {
  return String(random.int(1, 9)) + random.string(15, "0123456789");
}

/**
 * 6.2.2: the app hands its `rand` to the platform, which encrypts it with the device PIN and returns the lanKey:
 * `POST <api>/api/devices/<id>/lan-key`.
 */
export async function lanKeyFromPlatform(options: {
  api: string;
  deviceId: string;
  rand: string;
  apiToken?: string | undefined;
}): Promise<LanCredentials> {
  const url = new URL(
    `api/devices/${encodeURIComponent(options.deviceId)}/lan-key`,
    `${options.api.replace(/\/$/, "")}/`,
  );
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.apiToken === undefined ? {} : { authorization: `Bearer ${options.apiToken}` }),
    },
    body: JSON.stringify({ rand: options.rand }),
  }).catch((error: unknown) => {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new HilfarmError("LAN_KEY", `cannot reach the platform API ${options.api}: ${cause}`);
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const answer = body as { lanKey?: unknown; liveTime?: unknown; detail?: unknown } | undefined;
  if (!response.ok || typeof answer?.lanKey !== "string" || typeof answer.liveTime !== "number") {
    throw new HilfarmError(
      "LAN_KEY",
      `the platform gave no lanKey for ${options.deviceId}: HTTP ${response.status} ${showValue(answer?.detail ?? text)}`,
    );
  }
  return { rand: options.rand, lanKey: answer.lanKey, liveTime: answer.liveTime };
}
