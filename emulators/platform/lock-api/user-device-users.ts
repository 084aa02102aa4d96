import type { LockApiDeps, LockCall, LockHandlers } from "./lock-call.ts";
import { lockOf } from "./lock-of.ts";
import type { LockUserKeys } from "./lock-user-keys.ts";
import type { DeviceUserFields, LockUser } from "./lock-users.ts";
import { answered } from "./user-answers.ts";

/** The body of an add or modify, as the catalogue checked it. */
interface DeviceUserBody {
  nick_name: string;
  sex: 1 | 2;
  birthday?: number;
  height?: number;
  weight?: number;
  contact?: string;
}

function fieldsOf(call: LockCall): DeviceUserFields {
  const b = call.body as DeviceUserBody;
  return {
    nickName: b.nick_name,
    sex: b.sex,
    ...(b.birthday === undefined ? {} : { birthday: b.birthday }),
    ...(b.height === undefined ? {} : { height: b.height }),
    ...(b.weight === undefined ? {} : { weight: b.weight }),
    ...(b.contact === undefined ? {} : { contact: b.contact }),
  };
}

/** The seed's fields of a device user (seed line 3601), and its `user_id` so that a list can be acted on. */
function shown(deviceId: string, u: LockUser) {
  return {
    user_id: u.id,
    device_id: deviceId,
    nick_name: u.nickName,
    ...(u.sex === undefined ? {} : { sex: u.sex }),
    ...(u.birthday === undefined ? {} : { birthday: u.birthday }),
    ...(u.height === undefined ? {} : { height: u.height }),
    ...(u.weight === undefined ? {} : { weight: u.weight }),
    ...(u.contact === undefined ? {} : { contact: u.contact }),
  };
}

const userIdOf = (call: LockCall) => call.params.user_id ?? "";

/** Device users (not home users): add, modify, delete, read, list. */
export function deviceUserHandlers(keys: LockUserKeys): LockHandlers {
  const { book } = keys;
  return {
    addDeviceUser: (call: LockCall, deps: LockApiDeps) => {
      const deviceId = lockOf(call, deps);
      return { user_id: book.addDeviceUser(deviceId, fieldsOf(call)).id };
    },
    modifyDeviceUser: (call, deps) => {
      const deviceId = lockOf(call, deps);
      answered(book.modifyDeviceUser(deviceId, userIdOf(call), fieldsOf(call)));
      return true;
    },
    deleteDeviceUser: (call, deps) => {
      const deviceId = lockOf(call, deps);
      answered(book.deleteDeviceUser(deviceId, userIdOf(call)));
      return true;
    },
    getDeviceUser: (call, deps) => {
      const deviceId = lockOf(call, deps);
      return shown(deviceId, answered(book.deviceUser(deviceId, userIdOf(call))));
    },
    listDeviceUsers: (call, deps) => {
      const deviceId = lockOf(call, deps);
      return book
        .users(deviceId)
        .filter((u) => u.type === "device")
        .map((u) => shown(deviceId, u));
    },
  };
}
