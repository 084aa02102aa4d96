import { describe, expect, it } from "vitest";
import { parseSerialUrl, serialUrl } from "./serial-url.ts";

describe("serial link URLs", () => {
  it("a bare path takes the defaults: 115200 8N1, no flow control, cts-json, TCP sessions", () => {
    expect(parseSerialUrl("/dev/ttyUSB0")).toEqual({
      path: "/dev/ttyUSB0",
      baudRate: 115200,
      dataBits: 8,
      parity: "none",
      stopBits: 1,
      flowControl: "none",
      framing: "cts-json",
      transport: "tcp",
      maxFrameLength: 65536,
    });
  });

  it("reads every line setting from a serial:// URL, and writes it back", () => {
    const text =
      "serial:///dev/ttyACM1?baud=9600&dataBits=7&parity=even&stopBits=2&flowControl=rtscts&framing=cts-base64&transport=udp";
    const settings = parseSerialUrl(text);
    expect(settings).toMatchObject({
      path: "/dev/ttyACM1",
      baudRate: 9600,
      dataBits: 7,
      parity: "even",
      stopBits: 2,
      flowControl: "rtscts",
      framing: "cts-base64",
      transport: "udp",
    });
    expect(parseSerialUrl(serialUrl(settings))).toEqual(settings);
  });

  it("names the setting and the value it refuses", () => {
    expect(() => parseSerialUrl("serial:///dev/ttyUSB0?baud=fast")).toThrow(
      /^serial setting baud="fast" in "serial:\/\/\/dev\/ttyUSB0\?baud=fast": /,
    );
    expect(() => parseSerialUrl("serial:///dev/ttyUSB0?parity=maybe")).toThrow(
      /serial setting parity="maybe"/,
    );
    expect(() => parseSerialUrl("serial:///dev/ttyUSB0?dataBits=9")).toThrow(/serial setting dataBits="9"/);
    expect(() => parseSerialUrl("serial:///dev/ttyUSB0?speed=9600")).toThrow(
      /unknown serial setting "speed" in .*; known: baud, /,
    );
    expect(() => parseSerialUrl("tcp://127.0.0.1:1")).toThrow(/a serial link is serial:\/\/\/dev\/<port>/);
  });
});
