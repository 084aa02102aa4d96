import { describe, expect, it } from "vitest";
import { classifyOpenError } from "./serial-link.ts";

const error = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe("classifyOpenError: why a serial port did not open, never read from its path", () => {
  it.each([
    ["/dev/ttyUSB0", "Error: No such file or directory, cannot open /dev/ttyUSB0", "SERIAL_MISSING"],
    ["/dev/smartlock0", "Error: No such file or directory, cannot open /dev/smartlock0", "SERIAL_MISSING"],
    ["/dev/smartlock0", "Error: Permission denied, cannot open /dev/smartlock0", "SERIAL_DENIED"],
    ["/dev/busybox-uart", "Error: Permission denied, cannot open /dev/busybox-uart", "SERIAL_DENIED"],
    ["/dev/ttyNotFound1", "Error: Input/output error, cannot open /dev/ttyNotFound1", "SERIAL_FAILED"],
    ["/dev/ttyS0", "Error Resource temporarily unavailable Cannot lock port", "SERIAL_BUSY"],
    ["/dev/ttyS0", "Error: Device or resource busy, cannot open /dev/ttyS0", "SERIAL_BUSY"],
    [
      "/tmp/permission denied/lock",
      "Error: Input/output error, cannot open /tmp/permission denied/lock",
      "SERIAL_FAILED",
    ],
  ])("%s: %s -> %s", (path, message, expected) => {
    expect(classifyOpenError(path, error(message))).toBe(expected);
  });

  it("goes by the errno code when the error has one", () => {
    expect(classifyOpenError("/dev/lock", error("opaque", "ENOENT"))).toBe("SERIAL_MISSING");
    expect(classifyOpenError("/dev/x", error("opaque", "EBUSY"))).toBe("SERIAL_BUSY");
    expect(classifyOpenError("/dev/x", error("opaque", "EACCES"))).toBe("SERIAL_DENIED");
  });
});
