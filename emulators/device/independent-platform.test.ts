import { afterEach, describe, expect, it } from "vitest";
import { type MiniPlatform, startMiniPlatform } from "../../examples/clients/ct-mini-platform.mjs";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { socketConnector } from "../../harness/link/socket-link.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { loadProfiles } from "../profiles/load.ts";
import { ProfileModel } from "../profiles/profile-model.ts";
import { silent } from "../testing/world.ts";
import { EmulatedDevice } from "./emulated-device.ts";

/**
 * The emulators against a platform written from the spec alone (examples/clients/ct-mini-platform.mjs, which
 * imports nothing from hilfarm): the device runs on a VirtualClock, the mini-platform answers over real sockets.
 */
const DEVICE = { deviceId: "0000111122223333aaaabbbb", pin: "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6" };
let mini: MiniPlatform | undefined;
let device: EmulatedDevice | undefined;
afterEach(() => {
  device?.powerOff();
  mini?.close();
});

describe("emulated device against an independent mini-platform", () => {
  it("logs in, connects, heartbeats, answers a control with a state report within 10 s, and resends 3 times before logging in again", async () => {
    mini = await startMiniPlatform({ devices: [DEVICE] });
    const clock = new VirtualClock();
    const profile = (await loadProfiles()).get("air-conditioner");
    if (profile === undefined) throw new Error("air-conditioner profile missing");
    device = new EmulatedDevice({
      ...DEVICE,
      model: new ProfileModel(DEVICE.deviceId, profile),
      loginAddress: mini.loginAddress,
      clock,
      random: seededRandom(3),
      logger: silent,
      connector: socketConnector(),
    });
    device.powerOn();
    const login = await clock.runUntilSettled(mini.next(1002));
    expect(login.body).toMatchObject({ deviceId: DEVICE.deviceId, version: "1.0.0.1" });
    expect((await clock.runUntilSettled(mini.next(1004))).body).toMatchObject({ model: "CT-AC-01" });
    // 5.4.2.2: the full state at once after connecting.
    expect((await clock.runUntilSettled(mini.next(2006))).body).toMatchObject({ deviceId: DEVICE.deviceId });
    const connectedAt = clock.now();
    const heartbeat = await clock.runUntilSettled(mini.next(1000));
    expect(clock.now() - connectedAt).toBe(30_000);

    const sequence = mini.control(DEVICE.deviceId, [{ cmdName: "SET_TEMP", cmdParam: "24" }]);
    const sentAt = clock.now();
    expect((await clock.runUntilSettled(mini.next(2004))).body).toMatchObject({ result: 0, sequence });
    const report = await clock.runUntilSettled(mini.next(2006));
    expect(clock.now() - sentAt).toBeLessThan(10_000);
    expect(report.body).toMatchObject({
      statusSerials: [
        {
          serialId: "0",
          statusSerial: expect.arrayContaining([{ statusName: "TEMP", curStatusValue: "24" }]),
        },
      ],
    });

    mini.withhold(1000);
    const next = await clock.runUntilSettled(
      mini.next((f) => f.code === 1000 && f.body.sequence !== heartbeat.body.sequence),
    );
    const firstAt = clock.now();
    const resends: number[] = [];
    for (let i = 0; i < 2; i++) {
      await clock.runUntilSettled(
        mini.next((f) => f.code === 1000 && f.body.sequence === next.body.sequence),
      );
      resends.push(clock.now() - firstAt);
    }
    expect(resends).toEqual([10_000, 20_000]);
    await clock.runUntilSettled(mini.next(1002));
    expect(clock.now() - firstAt).toBe(30_000);
  });
});
