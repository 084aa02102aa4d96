import { performance } from "node:perf_hooks";

/**
 * Tells a virtual clock when real I/O has settled, so that it fires the next timer as soon as every reply already
 * on its way has been handled, and not after a fixed number of event-loop turns.
 *
 * A loopback write reaches the peer's receive queue before the write returns, so the next poll phase sees it. An
 * event-loop turn whose poll handled no event (no socket or datagram readable or writable, no thread-pool work done:
 * file, DNS, crypto), with no request in flight (a connect, a write still queued, a file or DNS request) and no
 * callback queued for the check phase but the clocks' own, leaves nothing on its way. libuv counts the events its
 * poll handles (`uvMetricsInfo`, Node 20.18 on), which costs nothing while a clock waits; an async hook that counted
 * callbacks instead ran on every promise continuation of the process (docs/benchmarks.md, "A twelfth machine").
 */
const REQUEST_IN_FLIGHT =
  /Req|^(Simple)?WriteWrap$|^ConnectWrap$|^ShutdownWrap$|^SendWrap$|^PipeConnectWrap$/;

/** The turns of every virtual clock of the process that wait for their check phase (clocks may settle at once). */
let ownTurnsQueued = 0;

/** Events libuv's poll has handled in this process so far. */
export function ioEvents(): number {
  const metrics = performance.nodeTiming.uvMetricsInfo as { events: number } | undefined;
  if (metrics === undefined)
    throw new Error(
      `a virtual clock reads libuv's count of I/O events (performance.nodeTiming.uvMetricsInfo), which Node ` +
        `${process.versions.node} does not give: hilfarm needs Node >= 20.19`,
    );
  return metrics.events;
}

/** A request in flight, or a callback other than the clocks' own turns queued for the check phase. */
export function ioPending(): boolean {
  let immediates = 0;
  for (const type of process.getActiveResourcesInfo()) {
    if (type === "Immediate") immediates++;
    else if (REQUEST_IN_FLIGHT.test(type)) return true;
  }
  return immediates > ownTurnsQueued;
}

/** One event-loop turn: resolves from the check phase, after that turn's poll. */
export function loopTurn(): Promise<void> {
  ownTurnsQueued++;
  return new Promise((resolve) =>
    setImmediate(() => {
      ownTurnsQueued--;
      resolve();
    }),
  );
}
