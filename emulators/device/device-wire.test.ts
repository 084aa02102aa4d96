import { describe, expect, it } from "vitest";
import type { Link } from "../../harness/link/socket-link.ts";
import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { silent } from "../testing/world.ts";
import { DeviceWire } from "./device-wire.ts";
import { wellBehaved } from "./misbehaviour.ts";

const pinKey = CipherKey.fromPin("A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6");
const heartbeat = { code: 1000 as const, body: { sequence: "1", token: "qwertyuiop123456", time: 1 } };

function wire() {
  const misbehaviour = wellBehaved();
  const device = new DeviceWire({ deviceId: "d1", pinKey, framing: undefined, misbehaviour, logger: silent });
  const sent: Buffer[] = [];
  const link = { send: (frame: Buffer) => sent.push(frame) } as unknown as Link;
  return { device, misbehaviour, sent, link };
}

describe("a device's frames (5.2.2)", () => {
  it("needs the session key after login, and reads back what it writes", () => {
    const { device } = wire();
    expect(() => device.encode(heartbeat)).toThrow("no session key");
    device.token = "qwertyuiop123456";
    device.sessionKey = CipherKey.fromSessionKey("abcdef0123456789");
    const frame = device.encode(heartbeat);
    expect(frame.toString()).toContain('"token":"qwertyuiop123456"');
    expect(device.decode(frame.subarray(0, frame.length - 2))).toEqual(heartbeat);
    expect(device.decode(Buffer.from("XTZ{}"))).toBeUndefined();
  });

  it("the fault switches break the next frames, garbled framing first", () => {
    const { device, misbehaviour, sent, link } = wire();
    device.sessionKey = CipherKey.fromSessionKey("abcdef0123456789");
    const frame = device.encode(heartbeat);
    misbehaviour.garbleFrames = 1;
    misbehaviour.corruptCiphertext = 1;
    for (let i = 0; i < 3; i++) device.send(link, frame);
    expect(sent.map((f) => f.subarray(0, 3).toString())).toEqual(["XTZ", "CTS", "CTS"]);
    expect(sent[1]?.equals(frame)).toBe(false);
    expect(sent[2]?.equals(frame)).toBe(true);
  });
});
