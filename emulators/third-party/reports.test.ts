import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import {
  type NotifyRig,
  PLATFORM_ID,
  PLATFORM_KEY,
  startNotifyRig,
} from "../platform/c-notify/testing/notify-rig.ts";
import { GW, LOCK, SUB, startThirdPartyRig, type ThirdPartyRig } from "./testing/third-party-rig.ts";

// The third party's reports (C11-C18) to hilfarm's own smart-home side (the c-notify surface), over mutual TLS with
// one test PKI for both.
const dirs: string[] = [];
let rig: ThirdPartyRig | undefined;
let home: NotifyRig | undefined;

afterEach(async () => {
  await rig?.tp.close();
  await home?.platform.close();
  rig = undefined;
  home = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(options = {}) {
  const clock = new VirtualClock();
  const dir = await mkdtemp(join(tmpdir(), "hilfarm-third-party-reports-"));
  dirs.push(dir);
  rig = await startThirdPartyRig(dir, clock, { reportRetryDelayMs: 1000, ...options });
  home = await startNotifyRig(dir, clock);
  await rig.tp.setSmartHome({ url: home.https, platformId: PLATFORM_ID, platformKey: PLATFORM_KEY });
  return { r: rig, home, clock };
}

type ApiDevice = Record<string, unknown>;
const listed = async (h: NotifyRig) => (await h.api("/api/devices")) as ApiDevice[];

describe("the third party reports its bound devices to the smart-home platform (C11-C18)", () => {
  it("nothing before a bind; after C22 the device shows with via third-party, and a control's state comes back by C16", async () => {
    const { r, home: h } = await start();
    r.tp.setStatus(LOCK, "0", "BATTERY", "77");
    await r.tp.reportsSettled();
    expect(r.tp.deliveries).toEqual([]);
    expect((await listed(h)).some((d) => d.deviceId === LOCK)).toBe(false);

    await r.client.call("C22", { deviceSN: LOCK });
    await r.tp.reportsSettled();
    expect(r.tp.deliveries.map((d) => [d.id, d.outcome])).toEqual([
      ["C15", "sent"],
      ["C16", "sent"],
    ]);
    expect(await listed(h)).toContainEqual(
      expect.objectContaining({ deviceId: LOCK, model: "LOCK-01", via: "third-party", online: true }),
    );
    expect(await h.api(`/api/devices/${LOCK}`)).toMatchObject({
      status: { "0": { LOCK: "1", BATTERY: "77" } },
    });

    await r.client.call("C28", { deviceSN: LOCK, serialId: "0", cmds: [{ name: "UNLOCK", value: "0" }] });
    r.tp.emitEvent(LOCK, { eventName: "DOORBELL", eventInfo: [{ ring: "1" }] });
    await r.tp.reportsSettled();
    const lock = (await h.api(`/api/devices/${LOCK}`)) as Record<string, unknown>;
    expect(lock).toMatchObject({ status: { "0": { LOCK: "0" } } });
    const events = JSON.stringify(await h.api(`/api/devices/${LOCK}/events`));
    expect(events).toContain("LOCK_OPEN");
    expect(events).toContain("DOORBELL");
    expect(r.tp.deliveries.every((d) => d.outcome === "sent")).toBe(true);
  });

  it("a sub-device: C13 under its gateway; offline and back (C15, C16); C25 reports C14", async () => {
    const { r, home: h } = await start();
    await r.client.call("C22", { deviceSN: GW });
    await r.client.call("C24", { gwId: GW, deviceSN: SUB });
    await r.tp.reportsSettled();
    expect(await listed(h)).toContainEqual(
      expect.objectContaining({ deviceId: SUB, parentId: GW, via: "third-party" }),
    );
    r.tp.setOnline(SUB, false);
    await r.tp.reportsSettled();
    expect(await listed(h)).toContainEqual(expect.objectContaining({ deviceId: SUB, online: false }));
    r.tp.setOnline(SUB, true);
    r.tp.setStatus(SUB, "0", "POWER", "1");
    await r.tp.reportsSettled();
    expect(await h.api(`/api/devices/${SUB}`)).toMatchObject({
      online: true,
      status: { "0": { POWER: "1" } },
    });
    await r.client.call("C25", { gwId: GW, deviceSN: SUB });
    await r.tp.reportsSettled();
    expect(r.tp.deliveries.at(-1)).toMatchObject({ id: "C14", deviceSN: SUB, outcome: "sent" });
    const count = r.tp.deliveries.length;
    r.tp.setStatus(SUB, "0", "POWER", "0");
    await r.tp.reportsSettled();
    expect(r.tp.deliveries).toHaveLength(count);
  });

  it("dropNotifications: the bind is answered, no report is sent and the platform never hears of the device", async () => {
    const { r, home: h } = await start({ misbehaviour: { dropNotifications: true } });
    expect((await r.client.call("C22", { deviceSN: LOCK })).code).toBe(0);
    await r.tp.reportsSettled();
    expect(r.tp.deliveries.map((d) => [d.id, d.outcome])).toEqual([
      ["C15", "dropped"],
      ["C16", "dropped"],
    ]);
    expect((await listed(h)).some((d) => d.deviceId === LOCK)).toBe(false);
  });

  it("a token the platform replaced is 1001: the third party takes a new one with C11 and the report goes through", async () => {
    const { r, home: h } = await start();
    await r.client.call("C22", { deviceSN: LOCK });
    await r.tp.reportsSettled();
    const c11 = () => h.logs.filter((l) => l.includes('"interface":"C11"')).length;
    expect(c11()).toBe(1);
    await h.token(); // another C11 for the same platformId replaces the third party's token
    r.tp.setStatus(LOCK, "0", "BATTERY", "33");
    await r.tp.reportsSettled();
    expect(c11()).toBe(3);
    expect(r.tp.deliveries.at(-1)).toMatchObject({ id: "C16", outcome: "sent", attempts: 1 });
    expect(await h.api(`/api/devices/${LOCK}`)).toMatchObject({ status: { "0": { BATTERY: "33" } } });
  });

  it("a report the platform cannot take is retried a bounded number of times on the clock, logged, and the server goes on", async () => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: "debug" }, sink);
    const { r, home: h, clock } = await start({ reportAttempts: 3, logger });
    // The platform goes away: its port is closed.
    await h.platform.close();
    home = undefined;
    await r.client.call("C22", { deviceSN: LOCK });
    await clock.runUntilSettled(r.tp.reportsSettled());
    expect(r.tp.deliveries.map((d) => [d.id, d.outcome, d.attempts])).toEqual([
      ["C15", "failed", 3],
      ["C16", "failed", 3],
    ]);
    expect((await r.client.call("C26", { deviceSN: LOCK })).code).toBe(0);
    expect(clock.timerCount()).toBe(0);
    const warnings = logs.filter((l) => l.includes("report failed"));
    expect(warnings).toHaveLength(6);
    expect(warnings.at(-1)).toContain("given up");
    expect(warnings.at(-1)).toContain(LOCK);
    expect(logs.join("")).not.toContain(PLATFORM_KEY);
  });
});
