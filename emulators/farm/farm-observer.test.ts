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

describe("FarmObserver all online", () => {
  it("notes the moment the expected devices are first all online at once, by the clock it is given", () => {
    const observer = new FarmObserver();
    let now = 100;
    observer.expectDevices(2, () => now);
    const [a, b] = [{}, {}] as EmulatedDevice[];
    if (a === undefined || b === undefined) throw new Error("two devices");
    observer.deviceEvent(a, "state", "online");
    now = 200;
    observer.deviceEvent(a, "state", "backoff");
    observer.deviceEvent(b, "state", "online");
    expect(observer.allOnlineAt).toBeUndefined();
    now = 300;
    observer.deviceEvent(a, "state", "online");
    expect(observer.allOnlineAt).toBe(300);
    // Later drops and returns leave the first moment as it was.
    now = 400;
    observer.deviceEvent(a, "state", "off");
    observer.deviceEvent(a, "state", "online");
    expect(observer.allOnlineAt).toBe(300);
  });

  it("notes nothing before it is told how many devices to expect, nor once churn has begun", () => {
    const observer = new FarmObserver();
    observer.deviceEvent({} as EmulatedDevice, "state", "online");
    expect(observer.allOnlineAt).toBeUndefined();
    // Steady a minute after the ramp with a device still logging in: its coming online still ends the ramp...
    observer.expectDevices(2, () => 500);
    observer.beginSteady();
    observer.deviceEvent({} as EmulatedDevice, "state", "online");
    expect(observer.allOnlineAt).toBe(500);
    // ...but not once churn power-cycles devices.
    const churned = new FarmObserver();
    churned.expectDevices(2, () => 600);
    churned.deviceEvent({} as EmulatedDevice, "state", "online");
    churned.beginSteady();
    churned.stopWatchingAllOnline();
    churned.deviceEvent({} as EmulatedDevice, "state", "online");
    expect(churned.online).toBe(2);
    expect(churned.allOnlineAt).toBeUndefined();
  });
});
