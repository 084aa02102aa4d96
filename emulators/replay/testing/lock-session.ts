import { openCapture } from "../../../harness/evidence/capture-file.ts";
import { EvidenceSlot } from "../../../harness/evidence/evidence-slot.ts";
import { EvidenceRecorder } from "../../../harness/evidence/recorder.ts";
import { startWorld } from "../../testing/world.ts";

/** Heartbeat of the recorded session, s. */
export const LOCK_SESSION_HEARTBEAT = 5;

/**
 * Records a session of an emulated smart lock with hilfarm's platform (virtual time, heartBeat 5 s) to an evidence
 * file: login, connect over TCP, state and resource reports, heartbeats at 5 and 10 s, an unlock (2005) with its
 * state report and LOCK_OPEN event at 11 s, a key order (2031) with its resource report at 12 s; then the lock skips
 * its heartbeats at 15-30 s and beats again at 35 s: 23 s of silence, past 2 heartbeats + 10 s (20 s) and short of
 * the spec's 3 + 10 s (25 s). Ends at 41 s. Returns the lock's id and PIN.
 */
export async function recordLockSession(path: string): Promise<{ deviceId: string; pin: string }> {
  return recordSession(path, async (w, lock, start) => {
    await w.clock.runUntil(start + 10_500);
    lock.misbehaviour.skipHeartbeats = true;
    await w.clock.runUntil(start + 11_000);
    await w.clock.runUntilSettled(
      w.platform.operations.control(lock.deviceId, {
        serialId: "0",
        cmd: [{ cmdName: "UNLOCK", cmdParam: "" }],
      }),
    );
    await w.clock.runUntil(start + 12_000);
    await w.clock.runUntilSettled(
      w.platform.operations.manageResources(lock.deviceId, [
        {
          serialId: "0",
          resourceSerial: [
            { resourceName: "KEY_LIST", resourceInfo: [{ KEY_ID: "7", KEY_TYPE: "2", MODE: "1" }] },
          ],
        },
      ]),
    );
    await w.clock.runUntil(start + 31_000);
    lock.misbehaviour.skipHeartbeats = false;
    await w.clock.runUntil(start + 41_000);
  });
}

type World = Awaited<ReturnType<typeof startWorld>>;

/**
 * Records what `script` makes an emulated smart lock and hilfarm's platform exchange (virtual time, heartBeat 5 s,
 * TCP) to an evidence file, from the lock's power-on (`start`) on. Returns the lock's id and PIN.
 */
export async function recordSession(
  path: string,
  script: (w: World, lock: ReturnType<World["device"]>, start: number) => Promise<void>,
): Promise<{ deviceId: string; pin: string }> {
  const slot = new EvidenceSlot();
  const capture = openCapture(path, { recordedBy: "recordSession" });
  slot.use(new EvidenceRecorder({ sink: (frame) => capture.write(frame) }));
  const w = await startWorld({
    fleet: { devices: [{ profile: "smart-lock", count: 1 }], transport: "tcp", lan: { enabled: false } },
    platform: { timing: { heartbeatSeconds: LOCK_SESSION_HEARTBEAT } },
    evidence: slot,
  });
  try {
    const lock = w.device("smart-lock");
    const planned = w.plan.devices.find((d) => d.deviceId === lock.deviceId);
    const start = w.clock.now();
    lock.powerOn();
    await script(w, lock, start);
    return { deviceId: lock.deviceId, pin: planned?.pin ?? "" };
  } finally {
    await w.close();
    slot.use(undefined);
    await capture.close();
  }
}
