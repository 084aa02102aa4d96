/**
 * A side's requests, one at a time (5.2; docs/protocol-readings.md, "One request in flight"): each task starts
 * once the one before it has settled, answered or not, and takes its sequence only then. With two in flight on a
 * lossy link, the second could overtake the resends of the first, and the receiver's strict last + 1 check
 * (5.2.2 item 5) would see a gap. The requester refuses a second send; this is the queue in front of it.
 */
export class RequestLane {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.then(settled, settled);
    return result;
  }
}

/** The next task waits for the one before it to settle, whichever way: one function for every lane and request. */
const settled = (): undefined => undefined;
