import { unixSeconds } from "../../harness/clock/clock.ts";
import {
  emptyOfflineMemory,
  lockLocalKey,
  type OfflineMemory,
} from "../../harness/protocol/lock-api/offline-code.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { DeviceContext, DeviceModel, Handled, KeypadOutcome, PlatformRequest } from "../device/model.ts";
import { performUpgrade } from "../device/upgrade.ts";
import { enterAnyCode } from "./keypad.ts";
import type { Profile } from "./schema.ts";

type Entry = Record<string, string>;

// A farm holds thousands of devices of one profile: what none of them has changed is shared, not copied per device.
const noConstraints: Readonly<Record<string, "0" | "1">> = Object.freeze({});
const moduleVersionsByProfile = new WeakMap<Profile, Readonly<Record<string, string>>>();

/** The profile's module versions by name, one frozen record per profile. */
function moduleVersionsOf(profile: Profile): Readonly<Record<string, string>> {
  let versions = moduleVersionsByProfile.get(profile);
  if (versions === undefined) {
    versions = Object.freeze(Object.fromEntries(profile.modules.map((m) => [m.name, m.version])));
    moduleVersionsByProfile.set(profile, versions);
  }
  return versions;
}

/**
 * A device (or sub-device) that behaves as its profile says: statuses, commands and their effect, resources,
 * alarms over thresholds, events and faults. Scenarios change it at run time through `setStatus`, `raiseEvent`
 * and `raiseFault`.
 */
export class ProfileModel implements DeviceModel {
  readonly deviceId: string;
  readonly profile: Profile;
  readonly status: Record<string, Record<string, string>>;
  readonly resources: Record<string, Record<string, Entry[]>>;
  /** Attribute constraints from 2001, made at the first: most devices never get one. */
  private ownConstraints: Record<string, "0" | "1"> | undefined;
  private firmware: string;
  /** Module versions: the profile's until an upgrade changes one, then a copy of this device's own. */
  private modules: Readonly<Record<string, string>>;
  /** Made at the first alarm: an empty Set still holds a table, and most devices never raise one. */
  private alarming: Set<string> | undefined;
  /** Wrong codes typed in a row at the keypad. */
  private wrongCodes = 0;
  /**
   * The key of the keypad's offline and dynamic codes (a lock's `local_key`), from its PIN; without it the keypad
   * takes only the keys of its list.
   */
  localKey: string | undefined;
  /** The offline codes the keypad used, cleared or took (harness/protocol/lock-api/offline-code.ts). */
  private offlineMemory: OfflineMemory = emptyOfflineMemory;

  constructor(deviceId: string, profile: Profile, pin?: string) {
    this.deviceId = deviceId;
    this.profile = profile;
    // Only a keypad reads it, and an HMAC per device is a large part of building a farm's switches and sensors.
    this.localKey =
      pin === undefined || profile.keypad === undefined ? undefined : lockLocalKey(pin, deviceId);
    // Two levels deep, as a status is: a structured clone takes 20 % more memory for each device's copy.
    this.status = Object.fromEntries(
      Object.entries(profile.serials).map(([serialId, statuses]) => [serialId, { ...statuses }]),
    );
    this.resources = structuredClone(profile.resources);
    this.firmware = profile.version;
    this.modules = moduleVersionsOf(profile);
  }

  /** Attribute constraints from 2001: "0" no access, "1" read-only. */
  get constraints(): Readonly<Record<string, "0" | "1">> {
    return this.ownConstraints ?? noConstraints;
  }

  get model(): string {
    return this.profile.model;
  }

  get version(): string {
    return this.firmware;
  }

  moduleVersion(name: string): string | undefined {
    return this.modules[name];
  }

  async afterConnect(ctx: DeviceContext): Promise<void> {
    await this.reportAll(ctx);
    await ctx.request(2022, {
      deviceId: this.deviceId,
      model: this.model,
      device: { version: this.firmware },
      ...(this.profile.modules.length === 0
        ? {}
        : { modules: Object.entries(this.modules).map(([name, version]) => ({ name, version })) }),
    });
  }

  /** 2006 with every status and every resource (5.4.3.3). */
  reportAll(ctx: DeviceContext) {
    return ctx.request(2006, {
      deviceId: this.deviceId,
      statusSerials: this.statusSerials(Object.keys(this.status)),
      ...(Object.keys(this.resources).length === 0 ? {} : { resourceSerials: this.resourceSerials() }),
    });
  }

  handle(request: PlatformRequest, ctx: DeviceContext): Handled {
    const now = unixSeconds(ctx.clock);
    const fields = (result: number, extra: Record<string, unknown> = {}) => ({
      result,
      deviceId: this.deviceId,
      ...extra,
      time: now,
    });
    switch (request.code) {
      case 2003:
        return { fields: fields(McResult.Success), after: (c) => this.reportAll(c).then(() => undefined) };
      case 2005:
        return this.control(request.body.serialId, request.body.cmd, fields);
      case 2001:
        this.ownConstraints = { ...this.ownConstraints, ...request.body.asc };
        return { fields: fields(McResult.Success) };
      case 2031:
        if (ctx.misbehaviour.refuseKeyOrders && this.profile.keypad !== undefined)
          return { fields: fields(McResult.DeviceUnknownError, { dscp: "key store full" }) };
        return this.manageResources(request.body.resourceSerials, fields);
      case 2025: {
        const notice = request.body;
        return {
          fields: fields(McResult.Success),
          after: async (c) => {
            // The download is real HTTP: on a virtual clock it takes no simulated time, on every run.
            const outcome = await c.clock.realWork(
              "firmware download",
              performUpgrade(notice, (module) =>
                module === undefined ? this.firmware : (this.modules[module] ?? this.firmware),
              ),
            );
            let status = outcome.status;
            if (c.misbehaviour.wrongUpgradeResult) status = status === "0" ? "1" : "0";
            if (outcome.status === "0") {
              if (outcome.moduleName === undefined) this.firmware = outcome.version;
              else this.modules = { ...this.modules, [outcome.moduleName]: outcome.version };
            }
            c.logger.info({ deviceId: this.deviceId, outcome: outcome.reason }, "firmware upgrade");
            await c.request(2026, {
              deviceId: this.deviceId,
              type: outcome.type,
              ...(outcome.moduleName === undefined ? {} : { moduleName: outcome.moduleName }),
              status,
              version: outcome.version,
            });
          },
        };
      }
      case 2015:
        // Only a gateway hosts sub-devices.
        return { fields: fields(McResult.DeviceOffline, { subDeviceId: request.body.subDeviceId }) };
    }
  }

  /** 5.4.3.2: all commands checked first, applied in order, then the new state reported. */
  private control(
    serialId: string,
    cmd: Array<{ cmdName: string; cmdParam: string }>,
    fields: (r: number, e?: Record<string, unknown>) => Handled["fields"],
  ): Handled {
    const serials = this.targetSerials(serialId);
    if (serials.length === 0)
      return { fields: fields(McResult.InvalidParameter, { dscp: `no serialId ${serialId}` }) };
    const changes: Array<{ status: string; value: string; event?: string }> = [];
    for (const { cmdName, cmdParam } of cmd) {
      const command = this.profile.commands[cmdName];
      if (command === undefined)
        return { fields: fields(McResult.CommandUnsupported, { dscp: `unsupported command ${cmdName}` }) };
      if (this.constraints[command.status] !== undefined) {
        return { fields: fields(McResult.CommandUnsupported, { dscp: `${command.status} is constrained` }) };
      }
      const value = command.value ?? cmdParam;
      const n = Number(value);
      const outOfRange =
        (command.values !== undefined && !command.values.includes(value)) ||
        (command.min !== undefined && !(n >= command.min)) ||
        (command.max !== undefined && !(n <= command.max));
      if (outOfRange)
        return {
          fields: fields(McResult.InvalidParameter, {
            dscp: `${cmdName}: ${JSON.stringify(cmdParam)} is out of range`,
          }),
        };
      changes.push({
        status: command.status,
        value,
        ...(command.event === undefined ? {} : { event: command.event }),
      });
    }
    for (const s of serials)
      for (const change of changes)
        if (change.status in (this.status[s] ?? {})) (this.status[s] as Entry)[change.status] = change.value;
    return {
      fields: fields(McResult.Success, { dscp: "ok" }),
      after: async (ctx) => {
        await ctx.request(2006, { deviceId: this.deviceId, statusSerials: this.statusSerials(serials) });
        for (const change of changes)
          if (change.event !== undefined)
            await this.raiseEvent(ctx, change.event, { TYPE: "REMOTE" }, serials[0]);
        await this.checkAlarms(ctx);
      },
    };
  }

  /** 5.4.3.4: add ("1"), modify ("2") or delete ("3") entries, then report the change (2028) within 10 s. */
  private manageResources(
    resourceSerials: Array<{
      serialId: string;
      resourceSerial: Array<{ resourceName: string; resourceInfo: Entry[] }>;
    }>,
    fields: (r: number, e?: Record<string, unknown>) => Handled["fields"],
  ): Handled {
    for (const serial of resourceSerials) {
      for (const resource of serial.resourceSerial) {
        if (this.profile.managedResources[resource.resourceName] === undefined) {
          return { fields: fields(McResult.CommandUnsupported) };
        }
      }
    }
    for (const serial of resourceSerials) {
      for (const { resourceName, resourceInfo } of serial.resourceSerial) {
        const { idField } = this.profile.managedResources[resourceName] as { idField: string };
        this.resources[serial.serialId] ??= {};
        const line = this.resources[serial.serialId] as Record<string, Entry[]>;
        line[resourceName] ??= [];
        const entries = line[resourceName] as Entry[];
        for (const { MODE: mode, ...entry } of resourceInfo) {
          const index = entries.findIndex((e) => e[idField] === entry[idField]);
          if (mode === "3") {
            if (index >= 0) entries.splice(index, 1);
          } else if (index >= 0) entries[index] = { ...entries[index], ...entry };
          else entries.push(entry);
        }
      }
    }
    return {
      fields: fields(McResult.Success),
      after: async (ctx) => {
        await ctx.request(2028, { deviceId: this.deviceId, resourceSerials });
      },
    };
  }

  /** A status changes on the device itself (a sensor reading, a button): reported, and alarms checked. */
  async setStatus(ctx: DeviceContext, serialId: string, name: string, value: string): Promise<void> {
    const serial = this.status[serialId];
    if (serial === undefined || !(name in serial))
      throw new Error(`${this.model} has no status ${serialId}/${name}`);
    serial[name] = value;
    await ctx.request(2006, { deviceId: this.deviceId, statusSerials: this.statusSerials([serialId]) });
    await this.checkAlarms(ctx);
  }

  /** 5.4.3.6: an event, e.g. LOCK_OPEN with the key used. */
  async raiseEvent(ctx: DeviceContext, eventName: string, info: Entry = {}, serialId = "0"): Promise<void> {
    await ctx.request(2032, {
      deviceId: this.deviceId,
      event: [{ serialId, eventName, eventInfo: [{ ...info, TIME: String(unixSeconds(ctx.clock)) }] }],
    });
  }

  /**
   * A code typed at the lock's keypad: a password of its keys valid now opens it (the open command's effect,
   * reported, then the open event with TYPE "PASSWORD" and the key's id; the duress event too for a hijack key; a
   * single-use key deleted and the change reported, 2028); when the keypad takes them, an offline or dynamic code
   * valid now on the lock's own clock opens it too (TYPE "OFFLINE" or "DYNAMIC"); a wrong code counts, and the limit
   * raises the wrong-code event.
   */
  async typeCode(ctx: DeviceContext, code: string, _target?: string): Promise<KeypadOutcome> {
    const { keypad } = this.profile;
    if (keypad === undefined) throw new Error(`${this.model} has no keypad`);
    const entries = this.resources[keypad.serialId]?.[keypad.resource] ?? [];
    const offline = { localKey: this.localKey, memory: this.offlineMemory };
    const typed = enterAnyCode(keypad, entries, code, unixSeconds(ctx.clock), this.wrongCodes, offline);
    const { outcome } = typed;
    this.offlineMemory = typed.memory;
    // The keypad works with or without the link: a report the lock cannot send is lost, what it did is not.
    const report = (sent: Promise<unknown>) =>
      sent.then(
        () => undefined,
        (error: unknown) =>
          ctx.logger.info(
            { deviceId: this.deviceId, reason: error instanceof Error ? error.message : String(error) },
            "keypad report not sent",
          ),
      );
    if (outcome.kind === "refused") {
      this.wrongCodes = outcome.wrongInARow;
      if (outcome.alarm)
        await report(
          this.raiseEvent(
            ctx,
            keypad.wrongCodeEvent,
            { ATTEMPTS: String(keypad.wrongCodeLimit) },
            keypad.serialId,
          ),
        );
      return outcome;
    }
    this.wrongCodes = 0;
    const command = this.profile.commands[keypad.openCommand];
    if (command?.value !== undefined) {
      const serial = this.status[keypad.serialId];
      if (serial !== undefined && command.status in serial) serial[command.status] = command.value;
      await report(
        ctx.request(2006, { deviceId: this.deviceId, statusSerials: this.statusSerials([keypad.serialId]) }),
      );
    }
    const key = { TYPE: typed.by, KEY_ID: outcome.keyId };
    await report(this.raiseEvent(ctx, keypad.openEvent, key, keypad.serialId));
    if (outcome.hijack) await report(this.raiseEvent(ctx, keypad.hijackEvent, key, keypad.serialId));
    if (outcome.singleUse) {
      const index = entries.findIndex((e) => e[keypad.idField] === outcome.keyId);
      const [used] = index >= 0 ? entries.splice(index, 1) : [];
      if (used !== undefined)
        await report(
          ctx.request(2028, {
            deviceId: this.deviceId,
            resourceSerials: [
              {
                serialId: keypad.serialId,
                resourceSerial: [{ resourceName: keypad.resource, resourceInfo: [{ ...used, MODE: "3" }] }],
              },
            ],
          }),
        );
    }
    return outcome;
  }

  /** 5.4.3.8: a fault named in the profile, e.g. TAMPER. */
  async raiseFault(ctx: DeviceContext, name: string): Promise<void> {
    const fault = this.profile.faults[name];
    if (fault === undefined) throw new Error(`${this.model} has no fault ${name}`);
    await ctx.request(2010, {
      deviceId: this.deviceId,
      error: {
        serialId: fault.serialId,
        errorCode: fault.errorCode,
        errorInfo: fault.errorInfo,
        errorTime: unixSeconds(ctx.clock),
      },
    });
  }

  /** 5.4.3.7: an alarm when a status crosses its threshold (once per crossing). */
  private async checkAlarms(ctx: DeviceContext): Promise<void> {
    for (const [i, alarm] of this.profile.alarms.entries()) {
      const value = this.status[alarm.serialId]?.[alarm.status];
      const n = Number(value);
      const over =
        value !== undefined &&
        ((alarm.above !== undefined && n > alarm.above) || (alarm.below !== undefined && n < alarm.below));
      const key = String(i);
      if (!over) {
        this.alarming?.delete(key);
        continue;
      }
      if (this.alarming?.has(key)) continue;
      this.alarming ??= new Set();
      this.alarming.add(key);
      await ctx.request(2008, {
        deviceId: this.deviceId,
        alarm: {
          serialId: alarm.serialId,
          statusName: alarm.status,
          curStatusValue: value ?? "",
          dscp: alarm.dscp,
          alarmTime: unixSeconds(ctx.clock),
        },
      });
    }
  }

  /** Serial "0" on a multi-gang device controls every gang (5.4.3.2). */
  private targetSerials(serialId: string): string[] {
    const all = Object.keys(this.status);
    if (serialId === "0" && !all.includes("0")) return all;
    return all.includes(serialId) ? [serialId] : [];
  }

  private statusSerials(serials: string[]) {
    return serials.map((serialId) => ({
      serialId,
      statusSerial: Object.entries(this.status[serialId] ?? {}).map(([statusName, curStatusValue]) => ({
        statusName,
        curStatusValue,
      })),
    }));
  }

  private resourceSerials() {
    return Object.entries(this.resources).map(([serialId, byName]) => ({
      serialId,
      resourceSerial: Object.entries(byName).map(([resourceName, resourceInfo]) => ({
        resourceName,
        resourceInfo,
      })),
    }));
  }
}
