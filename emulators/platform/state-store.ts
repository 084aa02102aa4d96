import type { BodyOf } from "../../harness/protocol/ct/schemas/index.ts";

export type ResourceSerials = NonNullable<BodyOf<2006>["resourceSerials"]>;
export type DeviceEventKind = "event" | "alarm" | "fault" | "upgrade";

export interface DeviceEvent {
  kind: DeviceEventKind;
  /** Platform clock, ms since the epoch, when the platform received it. */
  receivedAt: number;
  body: Record<string, unknown>;
}

export interface DeviceRecord {
  deviceId: string;
  model: string | undefined;
  parentId: string | undefined;
  online: boolean;
  transport: "tcp" | "udp" | undefined;
  lastSeen: number | undefined;
  /** `status[serialId][statusName] = value` (5.4.3.3). */
  status: Record<string, Record<string, string>>;
  resources: ResourceSerials;
  version: { device: string | undefined; modules: Record<string, string> };
  /** Sub-device attribute constraints set with 2001. */
  constraints: Record<string, "0" | "1">;
  events: DeviceEvent[];
  /** A sub-device whose gateway reported or was told to unbind it (2014, 2018). */
  unbound: boolean;
}

/** Events kept per device, newest last; older ones are dropped. */
export const EVENTS_KEPT = 1000;

interface OpenResourceReport {
  lastPartAt: number;
}

/**
 * What the platform knows of each device: state per `serialId`, resources, version, events, online.
 * Pure data with small, named updates; the business handlers decide when to call them.
 */
export class StateStore {
  private readonly records = new Map<string, DeviceRecord>();
  private readonly openResourceReports = new Map<string, OpenResourceReport>();

  register(deviceId: string, model: string | undefined, parentId: string | undefined): DeviceRecord {
    const record: DeviceRecord = {
      deviceId,
      model,
      parentId,
      online: false,
      transport: undefined,
      lastSeen: undefined,
      status: {},
      resources: [],
      version: { device: undefined, modules: {} },
      constraints: {},
      events: [],
      unbound: false,
    };
    this.records.set(deviceId, record);
    return record;
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.records.get(deviceId);
  }

  all(): DeviceRecord[] {
    return [...this.records.values()];
  }

  onlineCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.online) n++;
    return n;
  }

  /** Returns true when the online state changed. */
  setOnline(deviceId: string, online: boolean, at: number, transport?: "tcp" | "udp"): boolean {
    const record = this.records.get(deviceId);
    if (record === undefined) return false;
    if (transport !== undefined) record.transport = transport;
    if (online) record.lastSeen = at;
    const changed = record.online !== online;
    record.online = online;
    return changed;
  }

  touch(deviceId: string, at: number): void {
    const record = this.records.get(deviceId);
    if (record !== undefined) record.lastSeen = at;
  }

  applyStatus(deviceId: string, statusSerials: BodyOf<2006>["statusSerials"]): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    for (const serial of statusSerials) {
      record.status[serial.serialId] ??= {};
      const line = record.status[serial.serialId] as Record<string, string>;
      for (const { statusName, curStatusValue } of serial.statusSerial) line[statusName] = curStatusValue;
    }
  }

  /**
   * A (part of a) full resource report (5.4.3.3). Parts closer together than `gapMs` belong to one report and
   * merge; a part after a longer gap starts a new report, which replaces what was there.
   */
  applyResourceReport(deviceId: string, serials: ResourceSerials, at: number, gapMs: number): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    const open = this.openResourceReports.get(deviceId);
    if (open === undefined || at - open.lastPartAt > gapMs) record.resources = [];
    this.openResourceReports.set(deviceId, { lastPartAt: at });
    for (const serial of serials) {
      let line = record.resources.find((s) => s.serialId === serial.serialId);
      if (line === undefined) {
        line = { serialId: serial.serialId, resourceSerial: [] };
        record.resources.push(line);
      }
      for (const resource of serial.resourceSerial) {
        const existing = line.resourceSerial.find((r) => r.resourceName === resource.resourceName);
        if (existing === undefined) {
          line.resourceSerial.push({
            resourceName: resource.resourceName,
            resourceInfo: [...resource.resourceInfo],
          });
        } else {
          // A part repeating an entry (same *_ID) replaces it: devices often resend their whole list.
          for (const entry of resource.resourceInfo) upsertEntry(existing.resourceInfo, entry);
        }
      }
    }
  }

  /** The report after a (re)connect is a new full report, whatever the gap. */
  closeResourceReport(deviceId: string): void {
    this.openResourceReports.delete(deviceId);
  }

  /**
   * A resource change (2028, 5.4.3.5): each `resourceInfo` entry is added, modified or deleted by its `MODE`
   * ("1" add, "2" modify, "3" delete; absent = add or modify), matched on its first `*_ID` field.
   */
  applyResourceChange(deviceId: string, serials: ResourceSerials): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    for (const serial of serials) {
      let line = record.resources.find((s) => s.serialId === serial.serialId);
      if (line === undefined) {
        line = { serialId: serial.serialId, resourceSerial: [] };
        record.resources.push(line);
      }
      for (const resource of serial.resourceSerial) {
        let target = line.resourceSerial.find((r) => r.resourceName === resource.resourceName);
        if (target === undefined) {
          target = { resourceName: resource.resourceName, resourceInfo: [] };
          line.resourceSerial.push(target);
        }
        for (const entry of resource.resourceInfo) {
          const { MODE: mode, ...info } = entry;
          const idKey = Object.keys(info).find((k) => k.endsWith("_ID"));
          const index =
            idKey === undefined ? -1 : target.resourceInfo.findIndex((e) => e[idKey] === info[idKey]);
          if (mode === "3") {
            if (index >= 0) target.resourceInfo.splice(index, 1);
          } else if (index >= 0) target.resourceInfo[index] = { ...target.resourceInfo[index], ...info };
          else target.resourceInfo.push(info);
        }
      }
    }
  }

  setVersion(
    deviceId: string,
    device: string | undefined,
    modules: Array<{ name: string; version: string }> = [],
  ): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    if (device !== undefined) record.version.device = device;
    for (const m of modules) record.version.modules[m.name] = m.version;
  }

  setConstraints(deviceId: string, asc: Record<string, "0" | "1">): void {
    const record = this.records.get(deviceId);
    if (record !== undefined) record.constraints = { ...record.constraints, ...asc };
  }

  addEvent(deviceId: string, event: DeviceEvent): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    record.events.push(event);
    if (record.events.length > EVENTS_KEPT) record.events.splice(0, record.events.length - EVENTS_KEPT);
  }

  setUnbound(deviceId: string, unbound: boolean): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    record.unbound = unbound;
    if (unbound) record.online = false;
  }

  subDevicesOf(gatewayId: string): DeviceRecord[] {
    return this.all().filter((r) => r.parentId === gatewayId);
  }
}

/** Replaces the entry with the same first `*_ID` field, or appends. */
function upsertEntry(entries: Array<Record<string, string>>, entry: Record<string, string>): void {
  const idKey = Object.keys(entry).find((k) => k.endsWith("_ID"));
  const index = idKey === undefined ? -1 : entries.findIndex((e) => e[idKey] === entry[idKey]);
  if (index >= 0) entries[index] = entry;
  else entries.push(entry);
}
