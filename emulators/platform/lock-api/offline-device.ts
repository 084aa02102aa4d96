import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { lockLocalKey } from "../../../harness/protocol/lock-api/offline-code.ts";
import type { LockApiDeps, LockCall, LockHandlerContext } from "./lock-call.ts";

/**
 * A device's information (seed lines 4821-4960), from what the platform knows of it: `local_key` is the key of its
 * offline and dynamic codes (derived from its registered PIN), `status` the statuses it last reported (a name of a
 * serial other than "0" ends with `_` and the serial). Fields the platform does not hold (home, owner, icon, IP) are
 * left out.
 */
export function deviceInfo(context: LockHandlerContext, call: LockCall, deps: LockApiDeps) {
  const deviceId = call.params.device_id ?? "";
  const record = deps.store.get(deviceId);
  if (record === undefined)
    throw new LockApiError("deviceNotExist", `no device ${JSON.stringify(deviceId)}`, "device_id");
  const pin = context.platform.registry.get(deviceId)?.pin;
  const model = record.model ?? "";
  return {
    id: deviceId,
    uuid: deviceId,
    name: model,
    model,
    product_id: model,
    product_name: model,
    sub: record.parentId !== undefined,
    online: record.online,
    time_zone: "+00:00",
    ...(pin === undefined ? {} : { local_key: lockLocalKey(pin, deviceId) }),
    status: Object.entries(record.status).flatMap(([serialId, statuses]) =>
      Object.entries(statuses).map(([name, value]) => ({
        code: serialId === "0" ? name : `${name}_${serialId}`,
        value,
        type: "String",
      })),
    ),
  };
}
