import { describe, expect, it } from "vitest";
import { lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { DeviceRecord } from "../state-store.ts";
import { checkLockType, DEFAULT_LOCK_TYPES, lockTypeOf } from "./lock-types.ts";

const record = (model: string | undefined, parentId?: string) =>
  ({ deviceId: "d1", model, parentId }) as DeviceRecord;

describe("lock types", () => {
  it("come from the model, else from whether a gateway carries the lock", () => {
    expect(lockTypeOf(record("LOCK-V01"), DEFAULT_LOCK_TYPES)).toBe("wifi-video");
    expect(lockTypeOf(record("ZB-LOCK-H01", "gw"), DEFAULT_LOCK_TYPES)).toBe("zigbee-hotel");
    expect(lockTypeOf(record("OTHER"), DEFAULT_LOCK_TYPES)).toBe("wifi");
    expect(lockTypeOf(record(undefined, "gw"), DEFAULT_LOCK_TYPES)).toBe("zigbee");
    expect(lockTypeOf(record("LOCK-01"), { "LOCK-01": "keepalive-wifi" })).toBe("keepalive-wifi");
  });

  it("refuse an endpoint for a lock type it does not apply to with 2004, naming both", () => {
    expect(() =>
      checkLockType(lockEndpoints.freezeTempPassword, record("LOCK-01"), DEFAULT_LOCK_TYPES),
    ).toThrow(LockApiError);
    try {
      checkLockType(lockEndpoints.freezeTempPassword, record("LOCK-01"), DEFAULT_LOCK_TYPES);
    } catch (error) {
      expect((error as LockApiError).apiCode).toBe(2004);
      expect((error as Error).message).toMatch(
        /freezeTempPassword .*Zigbee lock.* is a Wi-Fi lock \(model LOCK-01\)/,
      );
    }
    expect(() =>
      checkLockType(lockEndpoints.freezeTempPassword, record("ZB-LOCK-01", "gw"), DEFAULT_LOCK_TYPES),
    ).not.toThrow();
  });
});
