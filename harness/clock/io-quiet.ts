import { createHook, executionAsyncResource } from "node:async_hooks";

/**
 * Tells a virtual clock when real I/O has settled, so that it fires the next timer as soon as every reply already
 * on its way has been handled, and not after a fixed number of event-loop turns.
 *
 * A loopback write reaches the peer's receive queue before the write returns, so the next poll phase sees it. An
 * event-loop turn in which no callback ran but the clock's own (no socket, datagram, file, DNS or real-timer
 * callback, no next-tick) and no request is in flight (a connect, a write still queued, a file or DNS request)
 * leaves nothing on its way. Promise continuations are not counted: they cannot outlive the turn that started them.
 */
const REQUEST_IN_FLIGHT =
  /Req|^(Simple)?WriteWrap$|^ConnectWrap$|^ShutdownWrap$|^SendWrap$|^PipeConnectWrap$/;

const ownTurns = new WeakSet<object>();
let callbacks = 0;
let watchers = 0;
const hook = createHook({
  before() {
    const resource = executionAsyncResource();
    if (resource instanceof Promise || ownTurns.has(resource)) return;
    callbacks++;
  },
});

/** One event-loop turn (a check-phase callback that the watcher does not count as I/O). */
export function loopTurn(): Promise<void> {
  return new Promise((resolve) => {
    ownTurns.add(setImmediate(resolve));
  });
}

/** Counts foreign callbacks while at least one watcher is open; `close` when done (the hook costs every callback). */
export function watchIo(): { callbacks(): number; requestsInFlight(): boolean; close(): void } {
  if (watchers++ === 0) hook.enable();
  let open = true;
  return {
    callbacks: () => callbacks,
    requestsInFlight: () => process.getActiveResourcesInfo().some((type) => REQUEST_IN_FLIGHT.test(type)),
    close: () => {
      if (!open) return;
      open = false;
      if (--watchers === 0) hook.disable();
    },
  };
}
