import { wait, within } from "./child-processes.ts";

/** What a benchmark reads from a running `hilfarm load`'s /metrics: devices online, heartbeat round trips and logins so far. */
export async function loadMetrics(
  url: string,
): Promise<{ online: number; heartbeats: number; logins: number }> {
  const text = await (await fetch(url)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    online: value(/^hilfarm_load_devices_online\s+(\d+)/m),
    heartbeats: value(/^hilfarm_load_round_trips\{kind="heartbeat"\}\s+(\d+)/m),
    logins: value(/^hilfarm_load_round_trips\{kind="login"\}\s+(\d+)/m),
  };
}

/** Resolves once `devices` logins have been counted (every device logged in once, with churn or not), at most `ms`. */
export function untilLoggedIn(url: string, devices: number, ms: number): Promise<void> {
  return within(
    (async () => {
      while ((await loadMetrics(url)).logins < devices) await wait(500);
    })(),
    "hilfarm: not every device logged in",
    ms,
  );
}
