import type { Logger } from "pino";
import { PlatformError } from "../errors.ts";
import type { PlatformOperations } from "../operations.ts";
import type { StateStore } from "../state-store.ts";
import {
  type BookAnswer,
  type KeyOrder,
  keyIdOf,
  type LockKind,
  type TempPassword,
  TempPasswordBook,
  type TempPasswordInput,
} from "./temp-passwords.ts";

export interface LockPasswordsDeps {
  readonly store: StateStore;
  readonly operations: Pick<PlatformOperations, "manageResources">;
  readonly logger: Logger;
  readonly book?: TempPasswordBook;
}

/** The lock resource temporary passwords travel in (the lock profiles' KEY_LIST, managed with 2031). */
export const KEY_RESOURCE = "KEY_LIST";

/**
 * Temporary passwords that really reach the lock: each change is a KEY_LIST order sent with 2031 (to a Wi-Fi lock
 * over its own link, to a Zigbee lock through its gateway), and the lock's answer sets `delivery_status` and
 * `phase`. Calls answer at once, as the cloud does; the caller polls the password (seed: for up to 25 s).
 */
export class LockPasswords {
  readonly book: TempPasswordBook;
  readonly #deps: LockPasswordsDeps;
  /** Deliveries under way, so that a stop or a test can wait for them. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: LockPasswordsDeps) {
    this.#deps = deps;
    this.book = deps.book ?? new TempPasswordBook();
  }

  /** A lock behind a gateway is a Zigbee lock; one that connects itself a Wi-Fi lock. */
  kindOf(deviceId: string): LockKind {
    const record = this.#deps.store.get(deviceId);
    if (record === undefined)
      throw new PlatformError("UNKNOWN_DEVICE", `no device ${JSON.stringify(deviceId)} in the registry`);
    return record.parentId === undefined ? "wifi" : "zigbee";
  }

  /** `createdAt`: Unix seconds. */
  create(deviceId: string, input: TempPasswordInput, createdAt = 0): BookAnswer {
    return this.sent(deviceId, this.book.create(deviceId, this.kindOf(deviceId), input, createdAt));
  }

  /** The changes the lock did not take, sent again: all of the lock's, or password `id`'s. */
  resend(deviceId: string, id?: number): BookAnswer[] {
    return this.book.resend(deviceId, id).map((answer) => this.sent(deviceId, answer));
  }

  /** Every live password of the lock deleted, each delete an order to the lock. */
  clear(deviceId: string): BookAnswer[] {
    return this.book.live(deviceId).map((p) => this.delete(deviceId, p.id));
  }

  modify(deviceId: string, id: number, input: TempPasswordInput): BookAnswer {
    return this.sent(deviceId, this.book.modify(deviceId, id, input));
  }

  freeze(deviceId: string, id: number, frozen: boolean): BookAnswer {
    return this.sent(deviceId, this.book.freeze(deviceId, id, frozen));
  }

  delete(deviceId: string, id: number): BookAnswer {
    return this.sent(deviceId, this.book.delete(deviceId, id));
  }

  get(deviceId: string, id: number): TempPassword | undefined {
    this.reconcile(deviceId);
    return this.book.get(deviceId, id);
  }

  list(deviceId: string): TempPassword[] {
    this.reconcile(deviceId);
    return this.book.list(deviceId);
  }

  /**
   * A single-use password the lock deleted once it was used: its key is gone from the KEY_LIST the lock reported
   * (2028), so the password is deleted too.
   */
  private reconcile(deviceId: string): void {
    const keys = this.#deps.store
      .get(deviceId)
      ?.resources.find((s) => s.serialId === "0")
      ?.resourceSerial.find((r) => r.resourceName === KEY_RESOURCE)?.resourceInfo;
    if (keys === undefined) return;
    const held = new Set(keys.map((k) => k.KEY_ID));
    for (const p of this.book.list(deviceId))
      if (p.singleUse && p.pending === undefined && p.deliveryStatus === 2 && !held.has(keyIdOf(p.id)))
        this.book.keyDeleted(deviceId, keyIdOf(p.id));
  }

  /** Resolves once every delivery under way has its answer. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  private sent(deviceId: string, answer: BookAnswer): BookAnswer {
    if (answer.ok && answer.order !== undefined) {
      const delivery = this.deliver(deviceId, answer.password.id, answer.order).finally(() =>
        this.#inFlight.delete(delivery),
      );
      this.#inFlight.add(delivery);
    }
    return answer;
  }

  private async deliver(deviceId: string, id: number, order: KeyOrder): Promise<void> {
    let ok = false;
    try {
      const { result } = await this.#deps.operations.manageResources(deviceId, [
        { serialId: "0", resourceSerial: [{ resourceName: KEY_RESOURCE, resourceInfo: [order] }] },
      ]);
      ok = result === 0;
      if (!ok) this.#deps.logger.info({ deviceId, passwordId: id, result }, "lock refused a password order");
    } catch (error) {
      // Offline, no answer in time: the password's delivery failed; the caller's poll reads it.
      const reason = error instanceof Error ? error.message : String(error);
      this.#deps.logger.info({ deviceId, passwordId: id, reason }, "password order not delivered");
    }
    this.book.delivered(id, ok);
  }
}
