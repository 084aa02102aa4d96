import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../harness/random/random.ts";
import {
  discoveryBindKey,
  formatMac,
  lanControlOf,
  lanIdentity,
  ON_CONFIG_WINDOW_MS,
  onConfigAt,
} from "./lan-identity.ts";

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

describe("a device's LAN identity (6.2.1)", () => {
  it("mac: six bytes, locally administered unicast, written aa:bb:cc:dd:ee:ff; bindKey a non-zero u64", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.string({ minLength: 1 }), (seed, deviceId) => {
        const identity = lanIdentity(seededRandom(seed), deviceId);
        expect(identity.macBytes).toHaveLength(6);
        const first = identity.macBytes[0] ?? 0;
        expect(first & 0b10).toBe(0b10);
        expect(first & 0b01).toBe(0);
        expect(identity.mac).toMatch(MAC);
        expect(identity.mac).toBe(formatMac(identity.macBytes));
        expect(identity.bindKey > 0n && identity.bindKey < 2n ** 64n).toBe(true);
      }),
    );
  });

  it("the same seed and device id give the same identity, whatever the run drew before", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 50; i++) b.int(0, 1000);
    expect(lanIdentity(a, "dev-1")).toEqual(lanIdentity(b, "dev-1"));
    expect(lanIdentity(a, "dev-1").mac).not.toBe(lanIdentity(a, "dev-2").mac);
    expect(lanIdentity(seededRandom(43), "dev-1").bindKey).not.toBe(lanIdentity(a, "dev-1").bindKey);
  });

  it("formats bytes with leading zeros", () => {
    expect(formatMac(Uint8Array.of(0x02, 0, 0x0a, 0xff, 0x10, 1))).toBe("02:00:0a:ff:10:01");
  });
});

describe("onConfig: within 120 s of power-on while unconfigured (6.2.1)", () => {
  it("1 up to 119 999 ms after power-on, 0 from 120 000 ms", () => {
    const on = 1_000_000;
    expect(ON_CONFIG_WINDOW_MS).toBe(120_000);
    expect(onConfigAt(on, on, false)).toBe(1);
    expect(onConfigAt(on, on + 119_999, false)).toBe(1);
    expect(onConfigAt(on, on + 120_000, false)).toBe(0);
    expect(onConfigAt(on, on - 1, false)).toBe(0);
  });

  it("0 once configured, inside the window too", () => {
    expect(onConfigAt(0, 0, true)).toBe(0);
    expect(onConfigAt(0, 119_999, true)).toBe(0);
  });

  it("takes the window's length as a parameter", () => {
    expect(onConfigAt(0, 29_999, false, 30_000)).toBe(1);
    expect(onConfigAt(0, 30_000, false, 30_000)).toBe(0);
  });

  it("bindKey is sent only while onConfig is 1", () => {
    const identity = lanIdentity(seededRandom(1), "dev-1");
    expect(discoveryBindKey(identity, 1)).toBe(identity.bindKey);
    expect(discoveryBindKey(identity, 0)).toBe(0n);
  });
});

describe("lanControl (6.2.1)", () => {
  it("0 not yet authorised, 1 supported, 2 not supported", () => {
    expect(lanControlOf(true, false)).toBe(0);
    expect(lanControlOf(false, false)).toBe(0);
    expect(lanControlOf(true, true)).toBe(1);
    expect(lanControlOf(false, true)).toBe(2);
  });
});
