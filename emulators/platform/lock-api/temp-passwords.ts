/**
 * The temporary passwords of the lock API, as the cloud keeps them: what each is, its `phase` and `delivery_status`
 * (seed, "Get the information about a temporary password"), and the key orders (KEY_LIST entries the platform
 * sends with 2031) that carry each change to the lock. Pure: the caller sends the orders and reports back whether
 * the lock took them (`delivered`).
 */

/** Wi-Fi locks connect themselves; Zigbee locks are sub-devices behind a gateway. */
export type LockKind = "wifi" | "zigbee";

/** Seed, "Create a temporary password": seven digits for Wi-Fi locks, six for Zigbee locks. */
export const PASSWORD_DIGITS: Readonly<Record<LockKind, number>> = { wifi: 7, zigbee: 6 };

/** `delivery_status`. */
export const DeliveryStatus = {
  configuring: 1,
  succeeded: 2,
  failed: 3,
  exists: 4,
  overLimit: 5,
  overlaps: 6,
} as const;

/** `phase` of a Zigbee lock's password. */
export const ZigbeePhase = { toBeCreated: 1, normal: 2, frozen: 3, deleted: 4, creationFailed: 5 } as const;
/** `phase` of a Wi-Fi lock's password. */
export const WifiPhase = { deleted: 0, toBeSent: 1, sent: 2, toBeDeleted: 3 } as const;

/** The periodic part of a password: minutes of the day, days of the week as bits (1 Sunday ... 64 Saturday). */
export interface Schedule {
  effective_time: number;
  invalid_time: number;
  working_day: number;
}

export interface TempPasswordInput {
  name: string;
  /** The digits, decrypted. Kept to send to the lock; never answered. */
  code: string;
  /** Unix seconds. */
  effectiveTime: number;
  invalidTime: number;
  /** `type` 1: used once before it expires. */
  singleUse: boolean;
  phone?: string;
  timeZone?: string;
  scheduleList?: Schedule[];
}

export type Operation = "create" | "modify" | "freeze" | "unfreeze" | "delete";

export interface TempPassword extends TempPasswordInput {
  readonly id: number;
  readonly deviceId: string;
  readonly kind: LockKind;
  phase: number;
  deliveryStatus: number;
  /** The change on its way to the lock, if any. */
  pending: Operation | undefined;
  /** The last change asked for, and its order: sent again when the lock did not take it (issue-password). */
  lastOperation: Operation;
  lastOrder: KeyOrder | undefined;
  /** Unix seconds. */
  readonly createdAt: number;
}

/** A KEY_LIST entry for 2031: `MODE` 1 add, 2 modify, 3 delete (5.4.3.4). */
export type KeyOrder = Record<string, string> & { MODE: "1" | "2" | "3"; KEY_ID: string };

export type BookAnswer =
  | { ok: true; password: TempPassword; order: KeyOrder | undefined }
  | { ok: false; reason: "INVALID_PARAM" | "NOT_FOUND" | "NOT_SUPPORTED"; field: string; message: string };

/** The lock's key id of a temporary password. */
export const keyIdOf = (id: number) => `T${id}`;

const refuse = (reason: "INVALID_PARAM" | "NOT_FOUND" | "NOT_SUPPORTED", field: string, message: string) =>
  ({ ok: false, reason, field, message }) as const;

export class TempPasswordBook {
  readonly #byId = new Map<number, TempPassword>();
  #nextId: number;

  /** `limit`: live passwords per lock (delivery_status 5 beyond it). */
  constructor(
    private readonly limit = 50,
    firstId = 1001,
  ) {
    this.#nextId = firstId;
  }

  /** `createdAt`: Unix seconds. */
  create(deviceId: string, kind: LockKind, input: TempPasswordInput, createdAt = 0): BookAnswer {
    const invalid = checkInput(kind, input);
    if (invalid !== undefined) return invalid;
    const password: TempPassword = {
      ...input,
      id: this.#nextId++,
      deviceId,
      kind,
      phase: kind === "zigbee" ? ZigbeePhase.toBeCreated : WifiPhase.toBeSent,
      deliveryStatus: DeliveryStatus.configuring,
      pending: "create",
      lastOperation: "create",
      lastOrder: undefined,
      createdAt,
    };
    const live = this.list(deviceId).filter((p) => isLive(p));
    const clash = live.find((p) => p.code === input.code && overlaps(p, input));
    const refusedStatus =
      clash !== undefined
        ? kind === "zigbee"
          ? DeliveryStatus.overlaps
          : DeliveryStatus.exists
        : live.length >= this.limit
          ? DeliveryStatus.overLimit
          : undefined;
    this.#byId.set(password.id, password);
    if (refusedStatus !== undefined) {
      // Recorded with the reason, and nothing sent: the caller's poll reads it.
      password.deliveryStatus = refusedStatus;
      password.phase = kind === "zigbee" ? ZigbeePhase.creationFailed : WifiPhase.deleted;
      password.pending = undefined;
      return { ok: true, password, order: undefined };
    }
    password.lastOrder = { ...keyEntry(password), MODE: "1" };
    return { ok: true, password, order: password.lastOrder };
  }

  modify(deviceId: string, id: number, input: TempPasswordInput): BookAnswer {
    const found = this.find(deviceId, id);
    if (!found.ok) return found;
    const invalid = checkInput(found.password.kind, input);
    if (invalid !== undefined) return invalid;
    Object.assign(found.password, input);
    return this.change(found.password, "modify", { ...keyEntry(found.password), MODE: "2" });
  }

  /** Seed: freezing and unfreezing are for Zigbee locks. */
  freeze(deviceId: string, id: number, frozen: boolean): BookAnswer {
    const found = this.find(deviceId, id);
    if (!found.ok) return found;
    if (found.password.kind !== "zigbee")
      return refuse("NOT_SUPPORTED", "password_id", "freezing a password is for Zigbee locks");
    const order: KeyOrder = { KEY_ID: keyIdOf(id), FROZEN: frozen ? "1" : "0", MODE: "2" };
    return this.change(found.password, frozen ? "freeze" : "unfreeze", order);
  }

  delete(deviceId: string, id: number): BookAnswer {
    const found = this.find(deviceId, id);
    if (!found.ok) return found;
    if (found.password.kind === "wifi") found.password.phase = WifiPhase.toBeDeleted;
    return this.change(found.password, "delete", { KEY_ID: keyIdOf(id), MODE: "3" });
  }

  /** The lock's answer to the order of password `id`: it took it, or it did not (no answer, refused, offline). */
  delivered(id: number, ok: boolean): void {
    const password = this.#byId.get(id);
    if (password?.pending === undefined) return;
    const operation = password.pending;
    password.pending = undefined;
    password.deliveryStatus = ok ? DeliveryStatus.succeeded : DeliveryStatus.failed;
    const zigbee = password.kind === "zigbee";
    if (!ok) {
      if (operation === "create" && zigbee) password.phase = ZigbeePhase.creationFailed;
      return;
    }
    if (operation === "create" || operation === "unfreeze" || operation === "modify")
      password.phase = zigbee ? ZigbeePhase.normal : WifiPhase.sent;
    else if (operation === "freeze") password.phase = ZigbeePhase.frozen;
    else password.phase = zigbee ? ZigbeePhase.deleted : WifiPhase.deleted;
  }

  /**
   * The passwords whose last change the lock did not take (delivery failed), or only `id`'s: each change asked for
   * again (seed, "Synchronize passwords": the passwords "in configuring" sent to the lock).
   */
  resend(deviceId: string, id?: number): BookAnswer[] {
    const stuck = this.list(deviceId).filter(
      (p) =>
        (id === undefined || p.id === id) &&
        p.pending === undefined &&
        p.deliveryStatus === DeliveryStatus.failed &&
        p.lastOrder !== undefined,
    );
    return stuck.map((p) => {
      if (p.lastOperation === "create")
        p.phase = p.kind === "zigbee" ? ZigbeePhase.toBeCreated : WifiPhase.toBeSent;
      return this.change(p, p.lastOperation, p.lastOrder as KeyOrder);
    });
  }

  /** Every password the lock holds or will hold, for a clear (seed, "Clear temporary passwords"). */
  live(deviceId: string): TempPassword[] {
    return this.list(deviceId).filter(isLive);
  }

  /** The lock deleted a key itself (a single-use password once used: 2028 MODE 3). */
  keyDeleted(deviceId: string, keyId: string): void {
    for (const p of this.list(deviceId))
      if (keyIdOf(p.id) === keyId) p.phase = p.kind === "zigbee" ? ZigbeePhase.deleted : WifiPhase.deleted;
  }

  get(deviceId: string, id: number): TempPassword | undefined {
    const password = this.#byId.get(id);
    return password?.deviceId === deviceId ? password : undefined;
  }

  list(deviceId: string): TempPassword[] {
    return [...this.#byId.values()].filter((p) => p.deviceId === deviceId);
  }

  private find(deviceId: string, id: number): { ok: true; password: TempPassword } | BookAnswer {
    const password = this.get(deviceId, id);
    if (password === undefined || !isLive(password))
      return refuse("NOT_FOUND", "password_id", `no temporary password ${id} on device ${deviceId}`);
    return { ok: true, password };
  }

  private change(password: TempPassword, operation: Operation, order: KeyOrder): BookAnswer {
    password.pending = operation;
    password.lastOperation = operation;
    password.lastOrder = order;
    password.deliveryStatus = DeliveryStatus.configuring;
    return { ok: true, password, order };
  }
}

/** A password the lock holds or will hold: not deleted, not failed to create, not refused. */
function isLive(p: TempPassword): boolean {
  if (p.deliveryStatus >= DeliveryStatus.exists) return false;
  return p.kind === "zigbee"
    ? p.phase !== ZigbeePhase.deleted && p.phase !== ZigbeePhase.creationFailed
    : p.phase !== WifiPhase.deleted;
}

const overlaps = (a: TempPasswordInput, b: TempPasswordInput) =>
  a.effectiveTime < b.invalidTime && b.effectiveTime < a.invalidTime;

function checkInput(kind: LockKind, input: TempPasswordInput): BookAnswer | undefined {
  const digits = PASSWORD_DIGITS[kind];
  if (!new RegExp(`^\\d{${digits}}$`).test(input.code))
    return refuse(
      "INVALID_PARAM",
      "password",
      `password: a ${kind === "wifi" ? "Wi-Fi" : "Zigbee"} lock takes ${digits} digits (got ${input.code.length} characters)`,
    );
  if (!(input.invalidTime > input.effectiveTime))
    return refuse(
      "INVALID_PARAM",
      "invalid_time",
      `invalid_time: ${input.invalidTime} is not after effective_time ${input.effectiveTime}`,
    );
  return undefined;
}

/** The KEY_LIST entry the lock's keypad judges (emulators/profiles/keypad-schema.ts names the fields). */
function keyEntry(p: TempPassword): Record<string, string> & { KEY_ID: string } {
  return {
    KEY_ID: keyIdOf(p.id),
    KEY_TYPE: "2",
    KEY_NAME: p.name,
    KEY_CODE: p.code,
    EFFECTIVE_TIME: String(p.effectiveTime),
    INVALID_TIME: String(p.invalidTime),
    SINGLE_USE: p.singleUse ? "1" : "0",
  };
}
