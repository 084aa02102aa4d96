import { describe, expect, it } from "vitest";
import {
  DeliveryStatus,
  TempPasswordBook,
  type TempPasswordInput,
  WifiPhase,
  ZigbeePhase,
} from "./temp-passwords.ts";

const input = (code: string, extra: Partial<TempPasswordInput> = {}): TempPasswordInput => ({
  name: "guest",
  code,
  effectiveTime: 1_800_000_000,
  invalidTime: 1_800_086_400,
  singleUse: false,
  ...extra,
});

describe("the temporary passwords of the lock API (pure)", () => {
  it("creates a password as a KEY_LIST order, to be sent, and follows the lock's answer per lock kind", () => {
    const book = new TempPasswordBook();
    const wifi = book.create("wifi-1", "wifi", input("1234567", { singleUse: true }));
    expect(wifi).toMatchObject({
      ok: true,
      password: { id: 1001, phase: WifiPhase.toBeSent, deliveryStatus: DeliveryStatus.configuring },
      order: {
        MODE: "1",
        KEY_ID: "T1001",
        KEY_TYPE: "2",
        KEY_NAME: "guest",
        KEY_CODE: "1234567",
        EFFECTIVE_TIME: "1800000000",
        INVALID_TIME: "1800086400",
        SINGLE_USE: "1",
      },
    });
    book.delivered(1001, true);
    expect(book.get("wifi-1", 1001)).toMatchObject({ phase: WifiPhase.sent, deliveryStatus: 2 });

    book.create("zb-1", "zigbee", input("654321"));
    book.delivered(1002, false);
    expect(book.get("zb-1", 1002)).toMatchObject({ phase: ZigbeePhase.creationFailed, deliveryStatus: 3 });
    // Another lock's password is not this lock's.
    expect(book.get("zb-1", 1001)).toBeUndefined();
  });

  it("refuses a code of the wrong length for the lock, and a validity that ends before it starts, naming the field", () => {
    const book = new TempPasswordBook();
    expect(book.create("w", "wifi", input("123456"))).toMatchObject({
      ok: false,
      reason: "INVALID_PARAM",
      field: "password",
      message: expect.stringMatching(/Wi-Fi lock takes 7 digits/),
    });
    expect(book.create("z", "zigbee", input("1234567"))).toMatchObject({ ok: false, field: "password" });
    expect(book.create("z", "zigbee", input("12a456"))).toMatchObject({ ok: false, field: "password" });
    expect(book.create("z", "zigbee", input("123456", { invalidTime: 1_800_000_000 }))).toMatchObject({
      ok: false,
      field: "invalid_time",
    });
  });

  it("freezes and unfreezes a Zigbee lock's password only, modifies and deletes through orders", () => {
    const book = new TempPasswordBook();
    book.create("z", "zigbee", input("111111"));
    book.delivered(1001, true);
    expect(book.freeze("z", 1001, true)).toMatchObject({
      ok: true,
      order: { KEY_ID: "T1001", FROZEN: "1", MODE: "2" },
    });
    book.delivered(1001, true);
    expect(book.get("z", 1001)?.phase).toBe(ZigbeePhase.frozen);
    book.freeze("z", 1001, false);
    book.delivered(1001, true);
    expect(book.get("z", 1001)?.phase).toBe(ZigbeePhase.normal);
    expect(book.modify("z", 1001, input("222222"))).toMatchObject({
      order: { KEY_CODE: "222222", MODE: "2" },
    });
    book.delivered(1001, true);
    expect(book.delete("z", 1001)).toMatchObject({ order: { KEY_ID: "T1001", MODE: "3" } });
    book.delivered(1001, true);
    expect(book.get("z", 1001)?.phase).toBe(ZigbeePhase.deleted);
    expect(book.delete("z", 1001)).toMatchObject({ ok: false, reason: "NOT_FOUND" });

    book.create("w", "wifi", input("3333333"));
    expect(book.freeze("w", 1002, true)).toMatchObject({ ok: false, reason: "NOT_SUPPORTED" });
    book.delete("w", 1002);
    expect(book.get("w", 1002)?.phase).toBe(WifiPhase.toBeDeleted);
    book.delivered(1002, true);
    expect(book.get("w", 1002)?.phase).toBe(WifiPhase.deleted);
  });

  it("records a clashing code (4 on Wi-Fi, 6 on Zigbee) and one over the limit (5) without sending anything", () => {
    const book = new TempPasswordBook(2);
    book.create("w", "wifi", input("1111111"));
    expect(book.create("w", "wifi", input("1111111"))).toMatchObject({
      ok: true,
      password: { deliveryStatus: DeliveryStatus.exists },
      order: undefined,
    });
    // Same code, a validity that does not overlap: a password of its own.
    expect(
      book.create(
        "w",
        "wifi",
        input("1111111", { effectiveTime: 1_900_000_000, invalidTime: 1_900_000_100 }),
      ),
    ).toMatchObject({ order: { MODE: "1" } });
    expect(book.create("w", "wifi", input("2222222"))).toMatchObject({
      password: { deliveryStatus: DeliveryStatus.overLimit },
      order: undefined,
    });
    book.create("z", "zigbee", input("111111"));
    expect(book.create("z", "zigbee", input("111111"))).toMatchObject({
      password: { deliveryStatus: DeliveryStatus.overlaps, phase: ZigbeePhase.creationFailed },
    });
  });

  it("marks a single-use password deleted once the lock deleted its key", () => {
    const book = new TempPasswordBook();
    book.create("w", "wifi", input("7654321", { singleUse: true }));
    book.delivered(1001, true);
    book.keyDeleted("w", "T1001");
    expect(book.get("w", 1001)?.phase).toBe(WifiPhase.deleted);
  });
});
