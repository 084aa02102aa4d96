import { describe, expect, it } from "vitest";
import { httpUrlOf } from "./http-url.ts";

describe("httpUrlOf", () => {
  it("takes absolute http and https URLs, and nothing else", () => {
    expect(httpUrlOf("https://127.0.0.1:8443/push")?.port).toBe("8443");
    expect(httpUrlOf("http://lab.example/")?.hostname).toBe("lab.example");
    for (const text of [
      "",
      "emulated",
      "127.0.0.1:80",
      "ftp://lab.example/",
      "file:///etc/passwd",
      "http//x",
    ])
      expect(httpUrlOf(text), text).toBeUndefined();
  });
});
