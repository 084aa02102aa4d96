import type { Clock, Timer } from "../../harness/clock/clock.ts";
import type { Random } from "../../harness/random/random.ts";
import type { Misbehaviour } from "./misbehaviour.ts";
import type { DeviceTiming, HeartbeatPhase } from "./options.ts";

/** 5.4.2.2: the heartbeat interval the connect response (1005) gives, 30 s when it gives none. */
export function heartbeatSeconds(connectResponse: Record<string, unknown>, timing: DeviceTiming): number {
  const { heartBeat } = connectResponse;
  return typeof heartBeat === "number" ? heartBeat : timing.defaultHeartbeatSeconds;
}

/**
 * 5.4.2.3: a heartbeat every `seconds` while the device is connected, unless the `skipHeartbeats` fault switch
 * silences it. An unanswered heartbeat is the requester's to resend; its failure is not the heartbeat's business.
 * The first goes `firstAfterMs` after the connect (default: one interval); the next ones every interval after it.
 */
export function startHeartbeat(
  clock: Clock,
  seconds: number,
  misbehaviour: Misbehaviour,
  beat: () => Promise<unknown>,
  firstAfterMs: number = seconds * 1000,
): Timer {
  const send = () => {
    if (!misbehaviour.skipHeartbeats) beat().catch(() => undefined);
  };
  const periodMs = seconds * 1000;
  if (firstAfterMs >= periodMs) return clock.setInterval(send, periodMs, "heartbeat");
  return new PhasedHeartbeat(clock, send, periodMs, firstAfterMs);
}

/** A first heartbeat earlier than one interval after the connect, then one every interval. */
class PhasedHeartbeat implements Timer {
  readonly name = "heartbeat";
  private current: Timer;

  constructor(clock: Clock, send: () => void, periodMs: number, firstAfterMs: number) {
    this.current = clock.setTimeout(
      () => {
        this.current = clock.setInterval(send, periodMs, "heartbeat");
        send();
      },
      firstAfterMs,
      "heartbeat",
    );
  }

  cancel(): void {
    this.current.cancel();
  }
}

/**
 * When the first heartbeat goes after a connect: one interval after it (`connect`, the spec's reading), or at a
 * point of the first interval drawn from the device's random (`spread`). A farm spreads them: its devices come online
 * in bursts as the platform answers logins in bursts, and with `connect` their heartbeats would go out in the same
 * bursts for the whole run, where real devices, powered on at different times, are out of phase.
 */
export function firstHeartbeatAfterMs(seconds: number, phase: HeartbeatPhase, random: Random): number {
  const periodMs = seconds * 1000;
  return phase === "spread" && periodMs >= 2 ? random.int(1, periodMs) : periodMs;
}
