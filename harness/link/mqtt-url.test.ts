import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import { parseMqttLinkUrl, withoutCredentials } from "./mqtt-url.ts";

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("no error thrown");
}

describe("parseMqttLinkUrl", () => {
  it("takes the credentials out of the URL and gives them as connect options", () => {
    const target = parseMqttLinkUrl("mqtt://lab:s3cret@broker:1883?transport=udp");
    expect(target).toEqual({
      url: "mqtt://broker:1883",
      credentials: { username: "lab", password: "s3cret" },
      transport: "udp",
      framing: "cts-json",
      maxFrameLength: 65536,
    });
    expect(JSON.stringify(target.url)).not.toContain("s3cret");
  });

  it("decodes escaped credentials, and leaves them out when there are none", () => {
    expect(parseMqttLinkUrl("mqtts://a%40b:p%2Fw@broker:8883").credentials).toEqual({
      username: "a@b",
      password: "p/w",
    });
    expect(parseMqttLinkUrl("mqtt://broker:1883").credentials).toEqual({});
  });

  it("never puts the password in an error message", () => {
    for (const text of [
      "mqtt://lab:s3cret@broker:1883?transprt=udp",
      "mqtt://lab:s3cret@broker:1883?transport=sctp",
      "http://lab:s3cret@broker:1883",
      "mqtt://lab:s3cret@broker:1883?framing=xml",
    ])
      expect(usageError(() => parseMqttLinkUrl(text)).message).not.toContain("s3cret");
    expect(withoutCredentials("mqtt://lab:s3cret@[::1:1883")).toBe("mqtt://[::1:1883");
  });

  it("accepts framing and maxFrameLength", () => {
    expect(parseMqttLinkUrl("mqtt://broker:1883?framing=cts-base64&maxFrameLength=4096")).toMatchObject({
      url: "mqtt://broker:1883",
      framing: "cts-base64",
      maxFrameLength: 4096,
    });
  });

  it("refuses unknown settings, naming them, and bad values", () => {
    const unknown = usageError(() => parseMqttLinkUrl("mqtt://broker:1883?transprt=udp"));
    expect(unknown.field).toBe("mqtt-link");
    expect(unknown.message).toMatch(/unknown setting "transprt"/);
    expect(usageError(() => parseMqttLinkUrl("mqtt://b:1?framing=xml")).code).toBe("USAGE");
    expect(usageError(() => parseMqttLinkUrl("mqtt://b:1?maxFrameLength=0")).code).toBe("USAGE");
    expect(usageError(() => parseMqttLinkUrl("mqtt://b:1?transport=sctp")).code).toBe("USAGE");
  });

  it("names the option the URL came from", () => {
    const error = usageError(() => parseMqttLinkUrl("tcp://b:1", "--device-link-mqtt"));
    expect(error.field).toBe("device-link-mqtt");
    expect(error.message).toMatch(/^--device-link-mqtt must be mqtt:/);
  });
});
