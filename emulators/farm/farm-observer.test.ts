import { describe, expect, it } from "vitest";
import type { EmulatedDevice } from "../device/emulated-device.ts";
import { FarmObserver } from "./farm-observer.ts";

describe("FarmObserver errors by kind", () => {
  it("counts each re-login once: those for which this machine had no free local port under their own kind", () => {
    const observer = new FarmObserver();
    const device = {} as EmulatedDevice;
    observer.deviceEvent(device, "relogin", { reason: "3 failed sends of 1000" });
    observer.deviceEvent(device, "relogin", {
      reason: "no free local port for a udp link",
      cause: "no-local-port",
    });
    observer.deviceEvent(device, "login-failed", {
      reason: "no-local-port",
      consecutive: 1,
      retryInMs: 60_000,
    });
    expect(Object.fromEntries(observer.errors)).toEqual({
      relogin: 1,
      "relogin-no-local-port": 1,
      "login-no-local-port": 1,
    });
  });
});
