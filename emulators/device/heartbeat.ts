import type { Clock, Timer } from "../../harness/clock/clock.ts";
import type { Misbehaviour } from "./misbehaviour.ts";
import type { DeviceTiming } from "./options.ts";

/** 5.4.2.2: the heartbeat interval the connect response (1005) gives, 30 s when it gives none. */
export function heartbeatSeconds(connectResponse: Record<string, unknown>, timing: DeviceTiming): number {
  const { heartBeat } = connectResponse;
  return typeof heartBeat === "number" ? heartBeat : timing.defaultHeartbeatSeconds;
}

/**
 * 5.4.2.3: a heartbeat every `seconds` while the device is connected, unless the `skipHeartbeats` fault switch
 * silences it. An unanswered heartbeat is the requester's to resend; its failure is not the heartbeat's business.
 */
export function startHeartbeat(
  clock: Clock,
  seconds: number,
  misbehaviour: Misbehaviour,
  beat: () => Promise<unknown>,
): Timer {
  const send = () => {
    if (!misbehaviour.skipHeartbeats) beat().catch(unanswered);
  };
  return clock.setInterval(send, seconds * 1000, "heartbeat");
}

/** A heartbeat that failed (given up after its resends, or its session ended) is the requester's: nothing to do here. */
const unanswered = (): undefined => undefined;
