import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import { PlatformError } from "../errors.ts";
import type { PlatformOperations } from "../operations.ts";

/**
 * The lock profiles' commands a remote opening and closing send (every lock profile in emulators/profiles/, one per
 * lock type): UNLOCK sets LOCK "0" and raises LOCK_OPEN with TYPE "REMOTE" (the open logs' `unlock_remote`, the
 * albums' event type 16); LOCK sets LOCK "1".
 */
export type DoorCommand = "UNLOCK" | "LOCK";

const PARAM: Readonly<Record<DoorCommand, string>> = { UNLOCK: "0", LOCK: "1" };

/**
 * Sends the command (2005, through the gateway for a Zigbee lock) and answers once the lock has answered, so that
 * `result` true means the lock took it. Offline: 2001; no answer in time, or the lock refused: 500 (the seed's
 * failure code), naming the command and the lock's result.
 */
export async function sendDoorCommand(
  operations: Pick<PlatformOperations, "control">,
  deviceId: string,
  command: DoorCommand,
  serialId = "0",
): Promise<true> {
  let answer: { result: number; dscp?: string };
  try {
    answer = await operations.control(deviceId, {
      serialId,
      cmd: [{ cmdName: command, cmdParam: PARAM[command] }],
    });
  } catch (error) {
    if (error instanceof PlatformError && error.code === "OFFLINE")
      throw new LockApiError("deviceOffline", `lock ${deviceId} is offline`, "device_id");
    if (error instanceof PlatformError && error.code === "DEVICE_TIMEOUT")
      throw new LockApiError(
        "systemError",
        `lock ${deviceId} did not answer ${command} in time`,
        "device_id",
      );
    throw error;
  }
  const { result, dscp } = answer;
  if (result !== 0)
    throw new LockApiError(
      "systemError",
      `lock ${deviceId} refused ${command}: result ${result}${dscp === undefined ? "" : ` (${dscp})`}`,
      "device_id",
    );
  return true;
}
