import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { UsageError } from "../../../harness/errors.ts";
import { lanKeyFor, lanKeyMatches } from "../../../harness/protocol/md/lan-key.ts";
import type { Platform } from "../platform.ts";
import { GATEWAY, PLUG, SENSOR, startTestPlatform } from "../testing/fixtures.ts";

const RAND = "1234567890123456";

let platform: Platform | undefined;
afterEach(async () => {
  await platform?.close();
  platform = undefined;
});

async function setup(options: Parameters<typeof startTestPlatform>[1] = {}) {
  platform = await startTestPlatform(new VirtualClock(), options);
  const base = platform.addresses.http;
  const lanKey = async (id: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/api/devices/${id}/lan-key`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
  };
  return { platform, lanKey };
}

describe("POST /api/devices/:id/lan-key (6.2.2)", () => {
  it("answers the lanKey of the device's PIN for the rand, which the device accepts, with liveTime 300", async () => {
    const { lanKey } = await setup();
    for (const device of [PLUG, GATEWAY]) {
      const answer = await lanKey(device.deviceId, { rand: RAND });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ lanKey: expect.stringMatching(/^[0-9a-f]{32}$/), liveTime: 300 });
      expect(lanKeyMatches(RAND, String(answer.json.lanKey), device.pin)).toBe(true);
      expect(answer.json.lanKey).toBe(lanKeyFor(RAND, device.pin));
    }
    const other = await lanKey(PLUG.deviceId, { rand: "0000000000000000" });
    expect(lanKeyMatches(RAND, String(other.json.lanKey), PLUG.pin)).toBe(false);
  });

  it("gives the configured liveTime (lanKeyLiveTimeS)", async () => {
    const { lanKey } = await setup({ lanKeyLiveTimeS: 45 });
    expect((await lanKey(PLUG.deviceId, { rand: RAND })).json.liveTime).toBe(45);
  });

  it("refuses a lanKeyLiveTimeS out of range at start, naming it", async () => {
    for (const bad of [0, -1, 1.5, 86_401]) {
      const refused = await setup({ lanKeyLiveTimeS: bad }).catch((error: unknown) => error);
      expect(refused, String(bad)).toBeInstanceOf(UsageError);
      expect((refused as UsageError).field).toBe("lanKeyLiveTimeS");
      expect((refused as Error).message).toContain(String(bad));
    }
  });

  it("answers 404 naming the device for an unknown device", async () => {
    const { lanKey } = await setup();
    const answer = await lanKey("000000000000000000nobody", { rand: RAND });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      error: "UNKNOWN_DEVICE",
      detail: 'no device "000000000000000000nobody" in the registry',
    });
    const long = await lanKey("x".repeat(4000), { rand: RAND });
    expect(long.status).toBe(404);
    expect(long.text.length).toBeLessThan(200);
  });

  it("answers 404 NO_LAN_SIDE for a sub-device, naming its gateway", async () => {
    const { lanKey } = await setup();
    const answer = await lanKey(SENSOR.deviceId, { rand: RAND });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      error: "NO_LAN_SIDE",
      detail: `device "${SENSOR.deviceId}" is a sub-device of gateway "${GATEWAY.deviceId}": it has no LAN side of its own; ask for its gateway's lanKey`,
    });
  });

  it.each([
    ["missing", {}, "rand: must be a string of 16 ASCII digits (got nothing)"],
    [
      "15 digits",
      { rand: "123456789012345" },
      'rand: must be a string of 16 ASCII digits (got "123456789012345")',
    ],
    [
      "17 digits",
      { rand: "12345678901234567" },
      'rand: must be a string of 16 ASCII digits (got "12345678901234567")',
    ],
    [
      "letters",
      { rand: "12345678901234ab" },
      'rand: must be a string of 16 ASCII digits (got "12345678901234ab")',
    ],
    [
      "a number",
      { rand: 1234567890123456 },
      "rand: must be a string of 16 ASCII digits (got 1234567890123456)",
    ],
    ["null", { rand: null }, "rand: must be a string of 16 ASCII digits (got null)"],
    ["an empty body", "", "rand: must be a string of 16 ASCII digits (got nothing)"],
  ])("answers 400 naming rand and its value: %s", async (_, body, detail) => {
    const { lanKey } = await setup();
    const answer = await lanKey(PLUG.deviceId, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "BAD_REQUEST", detail });
  });

  it("bounds the value it shows, and refuses a body that is not a JSON object", async () => {
    const { lanKey } = await setup();
    const long = await lanKey(PLUG.deviceId, { rand: "9".repeat(100_000) });
    expect(long.status).toBe(400);
    expect(String(long.json.detail).length).toBeLessThan(120);
    for (const body of ["[]", "null", '"1234567890123456"', "{", '{"rand":{"__proto__":1}}']) {
      const answer = await lanKey(PLUG.deviceId, body);
      expect(answer.status, body).toBe(400);
      expect(answer.json.error, body).toBe("BAD_REQUEST");
    }
  });

  it("needs the API's bearer token when one is set", async () => {
    const { lanKey } = await setup({ apiToken: "lan-token" });
    const without = await lanKey(PLUG.deviceId, { rand: RAND });
    expect(without.status).toBe(401);
    expect(without.json.error).toBe("UNAUTHORIZED");
    expect(without.text).not.toMatch(/[0-9a-f]{32}/);
    const wrong = await lanKey(PLUG.deviceId, { rand: RAND }, { authorization: "Bearer lan-tokeN" });
    expect(wrong.status).toBe(401);
    const right = await lanKey(PLUG.deviceId, { rand: RAND }, { authorization: "Bearer lan-token" });
    expect(right.status).toBe(200);
    expect(lanKeyMatches(RAND, String(right.json.lanKey), PLUG.pin)).toBe(true);
  });

  it("allows POST only", async () => {
    const { platform: p } = await setup();
    const answer = await fetch(`${p.addresses.http}/api/devices/${PLUG.deviceId}/lan-key`);
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("POST");
  });

  it("never logs the lanKey or the PIN, whatever the answer", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
    const { lanKey } = await setup({ logger });
    const given = await lanKey(PLUG.deviceId, { rand: RAND });
    expect(given.status).toBe(200);
    await lanKey(PLUG.deviceId, { rand: "bad" });
    await lanKey(SENSOR.deviceId, { rand: RAND });
    await lanKey("unknown", { rand: RAND });
    const log = lines.join("");
    expect(log).toContain("Md lanKey issued");
    expect(log).not.toContain(String(given.json.lanKey));
    expect(log.toLowerCase()).not.toContain(String(given.json.lanKey).toLowerCase());
    for (const pin of [PLUG.pin, SENSOR.pin, GATEWAY.pin]) expect(log).not.toContain(pin);
  });
});
