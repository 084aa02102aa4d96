import { describe, expect, it } from "vitest";
import { localPortShortage } from "./local-ports.ts";

describe("localPortShortage", () => {
  it("says nothing when every connection found a local port, whatever else went wrong", () => {
    expect(localPortShortage({ errors: {} })).toBeUndefined();
    expect(localPortShortage({ errors: { relogin: 40, "login-timeout": 3 } })).toBeUndefined();
  });

  it("counts the connections that found none, by kind, and names where to look", () => {
    const text = localPortShortage({
      errors: { relogin: 9_318, "relogin-no-local-port": 9_000, "login-no-local-port": 1_200 },
    });
    expect(text).toMatch(
      /^10,200 connections found no free local port on this machine \(login-no-local-port 1,200, relogin-no-local-port 9,000\)/,
    );
    expect(text).toContain("ss -uanp");
    expect(text).toContain("--source-addresses");
  });
});
