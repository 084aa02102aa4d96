import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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

describe("FarmObserver round trips", () => {
  const frame = (direction: "in" | "out", code: number, sequence: string) =>
    ({ direction, message: { code, body: { sequence } }, at: 0, raw: Buffer.alloc(0) }) as never;
  let now = 0;
  beforeEach(() => {
    now = 1000;
    vi.spyOn(performance, "now").mockImplementation(() => now);
  });
  afterEach(() => vi.restoreAllMocks());
  /** A kind's count and its least and greatest round trip, in whole ms (HDR keeps 3 significant digits). */
  const timed = (observer: FarmObserver, kind: "login" | "connect" | "heartbeat" | "report") => {
    const { count, min, max } = observer.latencies.summary(kind);
    return { count, min: Math.round(min), max: Math.round(max) };
  };

  it("times each request to its answer, several open at once on a device and answered in any order", () => {
    const observer = new FarmObserver();
    const [a, b] = [{}, {}] as EmulatedDevice[];
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("out", 1004, "7"));
    observer.deviceEvent(b as EmulatedDevice, "frame", frame("out", 1004, "7"));
    now = 1002;
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("out", 2006, "8"));
    now = 1003;
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("out", 1000, "9"));
    now = 1010;
    // The middle one first: the others stay open under their own keys.
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("in", 2007, "8"));
    now = 1020;
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("in", 1001, "9"));
    // Device b's 1004 answered with a's sequence belongs to b; one with an unknown sequence to nothing.
    observer.deviceEvent(b as EmulatedDevice, "frame", frame("in", 1005, "8"));
    now = 1040;
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("in", 1005, "7"));
    observer.deviceEvent(b as EmulatedDevice, "frame", frame("in", 1005, "7"));
    // Answered already: nothing more.
    observer.deviceEvent(a as EmulatedDevice, "frame", frame("in", 1005, "7"));
    expect(timed(observer, "report")).toMatchObject({ count: 1, max: 8 });
    expect(timed(observer, "heartbeat")).toMatchObject({ count: 1, max: 17 });
    expect(timed(observer, "connect")).toEqual({ count: 2, min: 40, max: 40 });
  });

  it("times a repeated request from its first send, unless the first is stale; a login forgets what was open", () => {
    const observer = new FarmObserver();
    const device = {} as EmulatedDevice;
    observer.deviceEvent(device, "frame", frame("out", 1000, "1"));
    now = 1005;
    observer.deviceEvent(device, "frame", frame("out", 1000, "1"));
    now = 1030;
    observer.deviceEvent(device, "frame", frame("in", 1001, "1"));
    expect(timed(observer, "heartbeat")).toMatchObject({ count: 1, max: 30 });
    // Sent, then sent again 36 s later: timed from the second send.
    observer.deviceEvent(device, "frame", frame("out", 1000, "2"));
    now += 36_000;
    observer.deviceEvent(device, "frame", frame("out", 1000, "2"));
    now += 4;
    observer.deviceEvent(device, "frame", frame("in", 1001, "2"));
    expect(timed(observer, "heartbeat")).toEqual({ count: 2, min: 4, max: 30 });
    // A 1002 starts the device's sequences afresh: the 1000 it left open is never timed.
    observer.deviceEvent(device, "frame", frame("out", 1000, "3"));
    observer.deviceEvent(device, "frame", frame("out", 1002, "4"));
    now += 10;
    observer.deviceEvent(device, "frame", frame("in", 1001, "3"));
    observer.deviceEvent(device, "frame", frame("in", 1003, "4"));
    expect(timed(observer, "heartbeat").count).toBe(2);
    expect(timed(observer, "login")).toMatchObject({ count: 1, max: 10 });
  });
});
