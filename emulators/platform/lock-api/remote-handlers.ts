import type { LockType } from "../../../harness/protocol/lock-api/endpoints/schema.ts";
import { badParameter, LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { enterCode } from "../../profiles/keypad.ts";
import { KeypadSchema } from "../../profiles/keypad-schema.ts";
import type { LockApiDeps, LockCall, LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { keysOf } from "./lock-of.ts";
import { mediaHandlers } from "./media-handlers.ts";
import { type DoorCommand, sendDoorCommand } from "./remote-door.ts";
import { checkOnline, hasRemoteSwitches, remoteLock, spendCallTicket } from "./remote-lock-of.ts";
import { RemoteUnlockBook, type RemoteUnlockType, type RevokeReason } from "./remote-unlock-book.ts";
import { openSealed } from "./sealed-password.ts";

/** The keys' fields as the lock profiles' keypads read them (the temporary passwords travel in the same). */
const KEYPAD = KeypadSchema.parse({});

/** Whether `digits` is a password the lock holds (as it last reported its keys) that is valid at `now`. */
function opensLock(deps: LockApiDeps, deviceId: string, digits: string, now: number): boolean {
  return enterCode(KEYPAD, keysOf(deps.store, deviceId), digits, Math.floor(now / 1000), 0).kind === "open";
}

/** Remote unlocking, its settings and password-free door opening; media and view counts. */
export function remoteHandlers(context: LockHandlerContext): LockHandlers {
  const book = new RemoteUnlockBook();
  const { operations } = context.platform;

  /** A remote opening needs its method switched on first, where the lock has switches: 1106 (permission deny). */
  const requireOn = (lock: { deviceId: string; type: LockType }, method: RemoteUnlockType) => {
    const { deviceId } = lock;
    if (hasRemoteSwitches(lock.type) && !book.isOn(deviceId, method))
      throw new LockApiError(
        "permissionDenied",
        `${method} is switched off for lock ${deviceId} (set it with POST /v1.0/devices/{device_id}/door-lock/remote-unlock/config)`,
        "remote_unlock_type",
        method,
      );
  };

  /** The ticket checked, the lock online, then the ticket used and the command sent. */
  const operate = async (
    call: LockCall,
    deps: LockApiDeps,
    deviceId: string,
    command: DoorCommand,
    serialId = "0",
  ) => {
    const state = spendCallTicket(deps, call, deviceId, (call.body as { ticket_id: string }).ticket_id);
    checkOnline(deps, deviceId);
    deps.tickets.state = state;
    return sendDoorCommand(operations, deviceId, command, serialId);
  };

  return {
    // seed line 1910: one object; the method switched on (the first listed when both are), else the first, off.
    listRemoteUnlocks: (call, deps) => {
      const { deviceId, kind } = remoteLock(call, deps);
      const methods = book.methods(deviceId, kind);
      return methods.find((m) => m.open) ?? methods[0];
    },
    setRemoteUnlockConfig: (call, deps) => {
      const { deviceId, kind } = remoteLock(call, deps);
      const body = call.body as { remote_unlock_type: RemoteUnlockType; open: boolean };
      const answer = book.configure(deviceId, kind, body.remote_unlock_type, body.open);
      if (!answer.ok)
        throw new LockApiError(
          "lockTypeNotSupported",
          answer.message,
          "remote_unlock_type",
          body.remote_unlock_type,
        );
      return true;
    },
    // seed line 2010: six digits under the ticket; the lock opens for a password it holds that is valid now.
    openDoor: async (call, deps) => {
      const lock = remoteLock(call, deps);
      const { deviceId } = lock;
      requireOn(lock, "remoteUnlockWithPwd");
      const body = call.body as { password: string; ticket_id: string };
      const sealed = openSealed(call, deps, deviceId, body);
      checkOnline(deps, deviceId);
      // A wrong password uses its ticket up too: one ticket, one try.
      sealed.spend();
      if (!opensLock(deps, deviceId, sealed.digits, call.now))
        throw badParameter("password", "a password the lock holds, valid now", sealed.digits);
      return sendDoorCommand(operations, deviceId, "UNLOCK");
    },
    passwordFreeOpenDoor: async (call, deps) => {
      const lock = remoteLock(call, deps);
      requireOn(lock, "remoteUnlockWithoutPwd");
      return operate(call, deps, lock.deviceId, "UNLOCK");
    },
    // seed line 2518: the channel is the device's serial (5.4.3.2: serial "0" is every channel).
    passwordFreeOpenDoorV11: async (call, deps) => {
      const lock = remoteLock(call, deps);
      const { deviceId } = lock;
      const channel = (call.body as { channel_id: number }).channel_id;
      const serials = Object.keys(deps.store.get(deviceId)?.status ?? {});
      if (channel !== 0 && !serials.includes(String(channel)))
        throw badParameter(
          "channel_id",
          `0 or one of the device's channels (${serials.join(", ")})`,
          channel,
        );
      requireOn(lock, "remoteUnlockWithoutPwd");
      return operate(call, deps, deviceId, "UNLOCK", String(channel));
    },
    cancelPasswordFreeOpenDoor: (call, deps) => {
      const { deviceId } = remoteLock(call, deps);
      book.revoke(deviceId, (call.body as { type: RevokeReason }).type);
      return true;
    },
    // seed line 2632: `open` true opens, false closes; absent opens. Closing needs no switch.
    passwordFreeDoorOperate: async (call, deps) => {
      const lock = remoteLock(call, deps);
      const opening = (call.body as { open?: boolean }).open !== false;
      if (opening) requireOn(lock, "remoteUnlockWithoutPwd");
      return operate(call, deps, lock.deviceId, opening ? "UNLOCK" : "LOCK");
    },
    ...mediaHandlers(context),
  };
}
