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
