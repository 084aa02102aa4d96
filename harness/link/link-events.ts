import type { WireError } from "../errors.ts";

/**
 * The listeners of one kind: none, one held as it is, or several in an array of the exact length (grown by
 * `concat`). Most links have one listener of each kind; an array for it would cost 56 bytes, which a farm of 100,000
 * links pays three times over, and an array grown by `push` (or a spread) reserves 17 slots, about 130 bytes more.
 */
export type Listeners<A> = ((arg: A) => void) | ReadonlyArray<(arg: A) => void> | undefined;

/** `listeners` with `listener` after them. */
export function withListener<A>(listeners: Listeners<A>, listener: (arg: A) => void): Listeners<A> {
  if (listeners === undefined) return listener;
  if (typeof listeners === "function") return [listeners, listener];
  return listeners.concat(listener);
}

/** The listeners of one link, run so that none can take the process down, and its close told once. */
export class LinkEvents {
  /** A listener added while a line is delivered gets the next line, not that one. */
  line: Listeners<Buffer> = undefined;
  bad: Listeners<WireError> = undefined;
  close: Listeners<undefined> = undefined;
  closed = false;
  addLine(listener: (line: Buffer) => void): void {
    this.line = withListener(this.line, listener);
  }
  addBad(listener: (error: WireError) => void): void {
    this.bad = withListener(this.bad, listener);
  }
  /**
   * Runs the listeners from a socket callback. A listener that throws there would take the whole process down, so
   * the error is reported as a process warning and the link is dropped (`link.close()`), as a device drops a
   * connection it cannot use.
   */
  deliver<A>(listeners: Listeners<A>, arg: A, link: { close(): void }): void {
    if (listeners === undefined) return;
    if (typeof listeners === "function") {
      runListener(listeners, arg, link);
      return;
    }
    for (const l of listeners) if (!runListener(l, arg, link)) return;
  }
  /** A listener added once the link has closed is told at once (on the next turn): a close is never missed. */
  addClose(listener: () => void): void {
    if (this.closed) queueMicrotask(() => this.deliver(listener, undefined, closedLink));
    else this.close = withListener(this.close, listener);
  }
  fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deliver(this.close, undefined, closedLink);
  }
}

/** False when the listener threw: reported, and the link dropped. */
function runListener<A>(listener: (arg: A) => void, arg: A, link: { close(): void }): boolean {
  try {
    listener(arg);
    return true;
  } catch (error) {
    process.emitWarning(
      `hilfarm link listener failed, link dropped: ${error instanceof Error ? error.message : String(error)}`,
    );
    link.close();
    return false;
  }
}

/** What a close listener that throws drops: the link has closed already. */
const closedLink = { close: () => undefined };
