import { unixSeconds } from "../../harness/clock/clock.ts";
import { errorFields } from "../../harness/protocol/mc/error-fields.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { DeviceContext, DeviceModel, Handled, KeypadOutcome, PlatformRequest } from "../device/model.ts";
import { ProfileModel } from "../profiles/profile-model.ts";
import type { Profile } from "../profiles/schema.ts";

export interface SubDevice {
  readonly deviceId: string;
  readonly pin: string;
  readonly model: ProfileModel;
  /** In radio range of the gateway (a Zigbee-style sub-device can drop off and rejoin). */
  present: boolean;
  /** Still bound to this gateway (unbound by the platform with 2015, or locally with 2018). */
  bound: boolean;
  /** Passed the platform's sub-device auth since the last connect. */
  authenticated: boolean;
}

/** A sub-device's report not sent: it was unbound at its gateway while the report was under way. */
class UnboundAtGateway extends Error {
  constructor(sub: SubDevice) {
    super(`sub-device ${sub.deviceId} is no longer bound to its gateway: its report is dropped`);
  }
}

/** A send and three resends to a sub-device over the radio, this far apart (lock API, "Create passwords"). */
export const RADIO_TRIES = 4;
export const RADIO_TRY_MS = 2_000;

/**
 * An application gateway: its own profile, plus sub-devices from profiles. Routes platform requests by `deviceId`
 * (5.4.3.1-2), answers 300001 for a sub-device it does not have, and after every (re)connect authenticates each
 * sub-device (2012), reports those accepted online (2020) and then their state (5.4.3.9;
 * docs/protocol-readings.md, "The emulated devices" > After each connect).
 */
export class GatewayModel implements DeviceModel {
  readonly own: ProfileModel;
  readonly subDevices = new Map<string, SubDevice>();
  /**
   * Unbinds the platform may not know of yet (5.4.3.12): a 2018 lost with the link, or a 2015 whose 2014 may never
   * have arrived. Reported (2018) after each reconnect until the platform acknowledges one.
   */
  readonly unreportedUnbinds = new Set<string>();

  constructor(deviceId: string, profile: Profile) {
    this.own = new ProfileModel(deviceId, profile);
  }

  get deviceId(): string {
    return this.own.deviceId;
  }
  get model(): string {
    return this.own.model;
  }
  get version(): string {
    return this.own.version;
  }

  addSubDevice(deviceId: string, pin: string, profile: Profile): SubDevice {
    const sub: SubDevice = {
      deviceId,
      pin,
      model: new ProfileModel(deviceId, profile, pin),
      present: true,
      bound: true,
      authenticated: false,
    };
    this.subDevices.set(deviceId, sub);
    return sub;
  }

  async afterConnect(ctx: DeviceContext): Promise<void> {
    // A new session: no sub-device is authenticated in it yet, whatever the reports below manage to do.
    for (const sub of this.subDevices.values()) sub.authenticated = false;
    await this.own.afterConnect(ctx);
    for (const deviceId of [...this.unreportedUnbinds]) await this.reportUnbind(ctx, deviceId);
    for (const sub of this.subDevices.values()) if (sub.bound) await this.authenticate(ctx, sub);
    for (const sub of this.subDevices.values())
      if (sub.bound && sub.authenticated && sub.present) await this.bringOnline(ctx, sub);
  }

  handle(request: PlatformRequest, ctx: DeviceContext): Handled {
    const now = unixSeconds(ctx.clock);
    if (request.code === 2015) {
      const { subDeviceId } = request.body;
      const sub = this.subDevices.get(subDeviceId);
      if (sub === undefined || !sub.bound) {
        return { fields: errorFields(request, McResult.DeviceOffline, now) };
      }
      sub.bound = false;
      this.unreportedUnbinds.add(subDeviceId);
      return { fields: { result: McResult.Success, deviceId: this.deviceId, subDeviceId, time: now } };
    }
    const target = request.body.deviceId;
    if (target === this.deviceId) return this.own.handle(request, ctx);
    const sub = this.subDevices.get(target);
    if (sub === undefined || !sub.bound || !sub.present || !sub.authenticated) {
      return {
        fields: errorFields(request, McResult.DeviceOffline, now, `sub-device ${target} unavailable`),
      };
    }
    const silent = ctx.misbehaviour.subDeviceSilentTries;
    if (silent <= 0) return this.relayAfter(sub, sub.model.handle(request, ctx));
    // Lock API, "Create passwords" (Zigbee): no answer, the gateway resends three times, then reports failure.
    if (silent >= RADIO_TRIES)
      return {
        fields: errorFields(
          request,
          McResult.DeviceOffline,
          now,
          `sub-device ${target} did not answer ${RADIO_TRIES} radio tries`,
        ),
        delayMs: RADIO_TRIES * RADIO_TRY_MS,
      };
    return { ...this.relayAfter(sub, sub.model.handle(request, ctx)), delayMs: silent * RADIO_TRY_MS };
  }

  /** A code typed at the keypad of the gateway itself or of one of its sub-devices (a Zigbee lock). */
  typeCode(ctx: DeviceContext, code: string, target: string): Promise<KeypadOutcome> {
    if (target === this.deviceId) return this.own.typeCode(ctx, code);
    return this.sub(target).model.typeCode(ctx, code);
  }

  /** A sub-device leaves radio range: the gateway reports it offline (5.4.3.13). */
  async dropOff(ctx: DeviceContext, deviceId: string): Promise<void> {
    const sub = this.sub(deviceId);
    sub.present = false;
    if (sub.bound) await ctx.request(2020, { deviceId: this.deviceId, subDeviceId: deviceId, onLine: "0" });
  }

  /** It comes back: authenticated again if needed, reported online, then its state. */
  async rejoin(ctx: DeviceContext, deviceId: string): Promise<void> {
    const sub = this.sub(deviceId);
    sub.present = true;
    if (!sub.bound) return;
    if (!sub.authenticated) await this.authenticate(ctx, sub);
    if (sub.bound && sub.authenticated) await this.bringOnline(ctx, sub);
  }

  /** The user unbinds a sub-device at the gateway: reported with 2018 (5.4.3.12). */
  async unbindLocally(ctx: DeviceContext, deviceId: string): Promise<void> {
    const sub = this.sub(deviceId);
    sub.bound = false;
    this.unreportedUnbinds.add(deviceId);
    await this.reportUnbind(ctx, deviceId);
  }

  private async reportUnbind(ctx: DeviceContext, deviceId: string): Promise<void> {
    const response = await ctx.request(2018, { deviceId: this.deviceId, subDeviceId: deviceId });
    if (response.result === McResult.Success) this.unreportedUnbinds.delete(deviceId);
  }

  private sub(deviceId: string): SubDevice {
    const sub = this.subDevices.get(deviceId);
    if (sub === undefined) throw new Error(`gateway ${this.deviceId} has no sub-device ${deviceId}`);
    return sub;
  }

  private async authenticate(ctx: DeviceContext, sub: SubDevice): Promise<void> {
    const pin = ctx.misbehaviour.refuseSubDeviceAuth ? `${sub.pin.slice(1)}x` : sub.pin;
    const response = await ctx.request(2012, { deviceId: this.deviceId, subDeviceId: sub.deviceId, pin });
    sub.authenticated = response.result === McResult.Success && response.authResult === "0";
  }

  private async bringOnline(ctx: DeviceContext, sub: SubDevice): Promise<void> {
    const relay = this.relay(ctx, sub);
    try {
      await relay.request(2020, { deviceId: this.deviceId, subDeviceId: sub.deviceId, onLine: "1" });
      await sub.model.afterConnect(relay);
    } catch (error) {
      if (!(error instanceof UnboundAtGateway)) throw error;
    }
  }

  /**
   * What a sub-device sends goes through its gateway only while it is bound there: once the user unbinds it at the
   * gateway (or the platform does, 2015), a report already under way (the bring-up after a connect, the state report
   * after a control) is dropped. The unbind deleted its relation to the gateway (5.4.3.10), and only a new auth
   * (2012) makes it again.
   */
  private relay(ctx: DeviceContext, sub: SubDevice): DeviceContext {
    return {
      clock: ctx.clock,
      logger: ctx.logger,
      misbehaviour: ctx.misbehaviour,
      request: (code, body) =>
        sub.bound ? ctx.request(code, body) : Promise.reject(new UnboundAtGateway(sub)),
    };
  }

  private relayAfter(sub: SubDevice, handled: Handled): Handled {
    const after = handled.after;
    return after === undefined ? handled : { ...handled, after: (ctx) => after(this.relay(ctx, sub)) };
  }
}
