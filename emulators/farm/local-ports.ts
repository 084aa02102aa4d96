import type { LoadReport } from "./load-report.ts";

/** The error kinds of a connection that found no free local port (emulators/device/connect.ts `noLocalPort`). */
const NO_LOCAL_PORT = ["login-no-local-port", "relogin-no-local-port"] as const;

/**
 * What a run's errors say of this machine's local ports: undefined when every connection found one; otherwise how
 * many did not, and where to look. Every UDP device holds a port of its source address, so another process holding
 * thousands of UDP ports on 0.0.0.0 shrinks what each loopback source address has left for the farm.
 */
export function localPortShortage(report: Pick<LoadReport, "errors">): string | undefined {
  const counts = NO_LOCAL_PORT.map((kind) => [kind, report.errors[kind] ?? 0] as const).filter(
    ([, n]) => n > 0,
  );
  if (counts.length === 0) return undefined;
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return (
    `${total.toLocaleString("en-US")} connections found no free local port on this machine (${counts.map(([kind, n]) => `${kind} ${n.toLocaleString("en-US")}`).join(", ")}): ` +
    "the source addresses' port ranges were used up, by the farm's own sockets or by another process's (see `ss -s` and `ss -uanp`), " +
    "or a source address given to the workers is not one of this machine's (EADDRNOTAVAIL); " +
    "stop that process, or give the workers more source addresses (`hilfarm worker --source-addresses`)"
  );
}
