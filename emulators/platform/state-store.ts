import type { BodyOf } from "../../harness/protocol/mc/schemas/index.ts";

export type ResourceSerials = NonNullable<BodyOf<2006>["resourceSerials"]>;
export type DeviceEventKind = "event" | "alarm" | "fault" | "upgrade";

export interface DeviceEvent {
  kind: DeviceEventKind;
  /** Platform clock, ms since the epoch, when the platform received it. */
  receivedAt: number;
  body: Record<string, unknown>;
}

/** Where a device lives: on the platform's own Mc servers, or behind the third-party platform (chapter 7). */
export type DeviceVia = "mc" | "third-party";

export interface DeviceRecord {
  deviceId: string;
  via: DeviceVia;
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
  /** Kept as devices change, not counted on demand: a farm of 50,000 logs in at once. */
  private online = 0;
  private readonly children = new Map<string, DeviceRecord[]>();

  register(
    deviceId: string,
    model: string | undefined,
    parentId: string | undefined,
    via: DeviceVia = "mc",
  ): DeviceRecord {
    const record: DeviceRecord = {
      deviceId,
      via,
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
    const previous = this.records.get(deviceId);
    if (previous?.online === true) this.online--;
    if (previous?.parentId !== undefined) {
      const siblings = this.children.get(previous.parentId) ?? [];
      this.children.set(
        previous.parentId,
        siblings.filter((r) => r !== previous),
      );
    }
    this.records.set(deviceId, record);
    if (parentId !== undefined) {
      const siblings = this.children.get(parentId);
      if (siblings === undefined) this.children.set(parentId, [record]);
      else siblings.push(record);
    }
    return record;
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.records.get(deviceId);
  }

  all(): DeviceRecord[] {
    return [...this.records.values()];
  }

  onlineCount(): number {
    return this.online;
  }

  /** Returns true when the online state changed. */
  setOnline(deviceId: string, online: boolean, at: number, transport?: "tcp" | "udp"): boolean {
    const record = this.records.get(deviceId);
    if (record === undefined) return false;
    if (transport !== undefined) record.transport = transport;
    if (online) record.lastSeen = at;
    const changed = record.online !== online;
    record.online = online;
    if (changed) this.online += online ? 1 : -1;
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
   * merge (an entry repeating an earlier one, by its `*_ID` field, replaces it: devices often resend their whole
   * list); a part after a longer gap starts a new report, which replaces what was there.
   */
  applyResourceReport(deviceId: string, serials: ResourceSerials, at: number, gapMs: number): void {
    const record = this.records.get(deviceId);
    if (record === undefined) return;
    const open = this.openResourceReports.get(deviceId);
    if (open === undefined || at - open.lastPartAt > gapMs) record.resources = [];
    this.openResourceReports.set(deviceId, { lastPartAt: at });
    for (const { serialId, resource } of eachResource(serials)) {
      const entries = resourceEntries(record, serialId, resource.resourceName);
      for (const entry of resource.resourceInfo) upsertEntry(entries, entry);
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
    for (const { serialId, resource } of eachResource(serials)) {
      const entries = resourceEntries(record, serialId, resource.resourceName);
      for (const { MODE: mode, ...info } of resource.resourceInfo) {
        const index = indexById(entries, info);
        if (mode === "3") {
          if (index >= 0) entries.splice(index, 1);
        } else if (index >= 0) entries[index] = { ...entries[index], ...info };
        else entries.push(info);
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
    if (unbound && record.online) {
      record.online = false;
      this.online--;
    }
  }

  subDevicesOf(gatewayId: string): DeviceRecord[] {
    return [...(this.children.get(gatewayId) ?? [])];
  }
}

type Entry = Record<string, string>;

function* eachResource(serials: ResourceSerials) {
  for (const serial of serials)
    for (const resource of serial.resourceSerial) yield { serialId: serial.serialId, resource };
}

/** The entries of one resource of one serial, created empty if the device had none. */
function resourceEntries(record: DeviceRecord, serialId: string, resourceName: string): Entry[] {
  let line = record.resources.find((s) => s.serialId === serialId);
  if (line === undefined) {
    line = { serialId, resourceSerial: [] };
    record.resources.push(line);
  }
  let resource = line.resourceSerial.find((r) => r.resourceName === resourceName);
  if (resource === undefined) {
    resource = { resourceName, resourceInfo: [] };
    line.resourceSerial.push(resource);
  }
  return resource.resourceInfo;
}

/** The index of the entry with the same first `*_ID` field, or -1. */
function indexById(entries: Entry[], entry: Entry): number {
  const idKey = Object.keys(entry).find((k) => k.endsWith("_ID"));
  return idKey === undefined ? -1 : entries.findIndex((e) => e[idKey] === entry[idKey]);
}

/** Replaces the entry with the same first `*_ID` field, or appends. */
function upsertEntry(entries: Entry[], entry: Entry): void {
  const index = indexById(entries, entry);
  if (index >= 0) entries[index] = entry;
  else entries.push(entry);
}
