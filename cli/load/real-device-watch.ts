import { apiAuthorization } from "../../emulators/farm/api-auth.ts";
import type { LoadReport } from "../../emulators/farm/load-report.ts";
import type { RealDevice } from "../../emulators/fleet/fleet-file.ts";
import type { Clock } from "../../harness/clock/clock.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";

/** How often a load run asks the platform whether each real device is online. */
const SAMPLE_MS = 2_000;

/**
 * A mixed fleet's real devices during a load run: their online state sampled from the platform's northbound API
 * (`/api/devices/<id>`), for the report's per-device rows (real devices first, marked).
 */
export function watchRealDevices(
  real: readonly RealDevice[],
  apiUrl: string | undefined,
  attach: (device: RealDevice) => string,
  clock: Clock = new RealClock(),
): { stop(): Promise<NonNullable<LoadReport["real"]>> } {
  const samples = new Map(real.map((d) => [d.deviceId, { online: 0, seen: 0, last: false }]));
  const sample = async () => {
    if (apiUrl === undefined) return;
    await Promise.all(
      real.map(async (d) => {
        const entry = samples.get(d.deviceId);
        // A sample the API does not give in time, or gives as something else than its JSON, is skipped.
        const online = await fetch(`${apiUrl}/api/devices/${encodeURIComponent(d.deviceId)}`, {
          headers: apiAuthorization(),
          signal: AbortSignal.timeout(SAMPLE_MS),
        })
          .then(async (response) =>
            response.ok ? ((await response.json()) as { online?: unknown }).online : undefined,
          )
          .catch(() => undefined);
        if (entry === undefined || typeof online !== "boolean") return;
        entry.seen++;
        entry.last = online === true;
        if (online === true) entry.online++;
      }),
    );
  };
  let pending = sample();
  const timer = clock.setInterval(
    () => {
      pending = pending.then(sample);
    },
    SAMPLE_MS,
    "real-device-sample",
  );
  return {
    stop: async () => {
      timer.cancel();
      await pending;
      await sample();
      return real.map((d) => {
        const s = samples.get(d.deviceId) ?? { online: 0, seen: 0, last: false };
        return {
          deviceId: d.deviceId,
          real: true as const,
          ...(d.model === undefined ? {} : { model: d.model }),
          attach: attach(d),
          ...(apiUrl === undefined
            ? { state: "unknown: give --api to read it from the platform" }
            : { onlineAtEnd: s.last, onlineShare: s.seen === 0 ? 0 : s.online / s.seen, samples: s.seen }),
        };
      });
    },
  };
}
