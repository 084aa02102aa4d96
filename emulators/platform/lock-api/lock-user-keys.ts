import type { Logger } from "pino";
import type { PlatformOperations } from "../operations.ts";
import type { StateStore } from "../state-store.ts";
import { keysOf } from "./lock-of.ts";
import { KEY_RESOURCE } from "./lock-passwords.ts";
import { LockUserBook, type UnlockKey, type UserAnswer } from "./lock-users.ts";
import { keyTypeOf, type Schedule, type UnlockType } from "./lock-users-types.ts";

export interface LockUserKeysDeps {
  readonly store: StateStore;
  readonly operations: Pick<PlatformOperations, "manageResources" | "query">;
  readonly logger: Logger;
}

/** A KEY_LIST entry for 2031: `MODE` 1 add, 2 modify, 3 delete (5.4.3.4). */
type KeyOrder = Record<string, string> & { MODE: "1" | "2" | "3"; KEY_ID: string };

/** A validity period as a key's fields on the lock (empty: no bound). */
const periodOf = (schedule: Schedule) =>
  schedule.permanent
    ? { EFFECTIVE_TIME: "", INVALID_TIME: "" }
    : {
        EFFECTIVE_TIME: String(schedule.effectiveTime ?? ""),
        INVALID_TIME: String(schedule.expiredTime ?? ""),
      };

/**
 * The users' book over the real keys: enrollments, deletions and duress flags reach the lock as KEY_LIST orders
 * (2031, to a Wi-Fi lock over its own link, to a Zigbee lock through its gateway), and the lock's report of its
 * keys (2028) is what the unlocking methods are read from. Calls answer at once, as the cloud does.
 */
export class LockUserKeys {
  readonly book = new LockUserBook();
  readonly #deps: LockUserKeysDeps;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: LockUserKeysDeps) {
    this.#deps = deps;
  }

  /** The lock's unlocking methods as it last reported them. */
  keys(deviceId: string): UnlockKey[] {
    return this.book.keys(deviceId, keysOf(this.#deps.store, deviceId));
  }

  key(deviceId: string, type: UnlockType, no: number): UnlockKey | undefined {
    return this.book.key(deviceId, keysOf(this.#deps.store, deviceId), type, no);
  }

  /**
   * Enrollment: the emulated lock records the new key at once (as if the finger, card or face were presented), and
   * the key is linked with the user once the lock confirms. `code`: a password's digits, when the caller sent them.
   * The key carries the user's validity period, if they have one.
   */
  enroll(deviceId: string, userId: string, type: UnlockType, code?: string): UserAnswer<string> {
    const started = this.book.startEnrollment(deviceId, keysOf(this.#deps.store, deviceId), userId, type);
    if (!started.ok) return started;
    // A user with a validity period gets keys valid for that period only.
    const schedule = this.book.user(deviceId, userId)?.schedule;
    const order: KeyOrder = {
      ...(schedule === undefined ? {} : periodOf(schedule)),
      MODE: "1",
      KEY_ID: started.value,
      KEY_TYPE: keyTypeOf(type),
      KEY_NAME: "",
      ...(code === undefined ? {} : { KEY_CODE: code }),
    };
    this.track(
      this.send(deviceId, order).then((ok) => {
        const done = this.book.enrolled(deviceId, type, ok);
        if (done?.withdraw === true)
          return this.send(deviceId, { MODE: "3", KEY_ID: done.keyId }).then(() => undefined);
        return undefined;
      }),
    );
    return started;
  }

  /** The key leaves its user at once and the lock is told to delete it. */
  remove(deviceId: string, keyId: string): void {
    this.book.unassign(deviceId, keyId);
    this.track(this.send(deviceId, { MODE: "3", KEY_ID: keyId }).then(() => undefined));
  }

  /** The lock's duress flag of a key (the keypad raises the duress event when a key with it opens). */
  setHijack(deviceId: string, keyId: string, on: boolean): void {
    this.track(
      this.send(deviceId, { MODE: "2", KEY_ID: keyId, HIJACK: on ? "1" : "0" }).then(() => undefined),
    );
  }

  /** A key's new name, given to the lock (the name the lock reports is the key's name). */
  rename(deviceId: string, keyId: string, name: string): void {
    this.track(this.send(deviceId, { MODE: "2", KEY_ID: keyId, KEY_NAME: name }).then(() => undefined));
  }

  /**
   * A user's validity period delivered to the lock: each of their keys valid from its effective time until its
   * expiry (none for a permanent user); the period's delivery status follows the lock's answers.
   */
  deliverSchedule(deviceId: string, userId: string, schedule: Schedule): void {
    const period = schedule.permanent
      ? { EFFECTIVE_TIME: "", INVALID_TIME: "" }
      : {
          EFFECTIVE_TIME: String(schedule.effectiveTime ?? ""),
          INVALID_TIME: String(schedule.expiredTime ?? ""),
        };
    const orders = this.keys(deviceId)
      .filter((k) => k.userId === userId)
      .map((k) => this.send(deviceId, { MODE: "2", KEY_ID: k.keyId, ...period }));
    this.track(
      Promise.all(orders).then((answers) => {
        schedule.delivery = answers.every((ok) => ok) ? "SUCCESS" : "FAILED";
      }),
    );
  }

  /** The lock asked for its whole state (2003): its answer (2006) reports every key it holds, read from then on. */
  sync(deviceId: string): void {
    this.track(
      this.#deps.operations.query(deviceId).then(
        ({ result }) => {
          if (result !== 0) this.#deps.logger.info({ deviceId, result }, "lock refused a sync");
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.#deps.logger.info({ deviceId, reason }, "sync not delivered");
        },
      ),
    );
  }

  /** Resolves once every order under way has its answer. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** One order; true if the lock took it. Never rejects: a failed order is logged (without any code). */
  private async send(deviceId: string, order: KeyOrder): Promise<boolean> {
    try {
      const { result } = await this.#deps.operations.manageResources(deviceId, [
        { serialId: "0", resourceSerial: [{ resourceName: KEY_RESOURCE, resourceInfo: [order] }] },
      ]);
      if (result !== 0)
        this.#deps.logger.info({ deviceId, keyId: order.KEY_ID, result }, "lock refused a key order");
      return result === 0;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#deps.logger.info({ deviceId, keyId: order.KEY_ID, reason }, "key order not delivered");
      return false;
    }
  }
}
