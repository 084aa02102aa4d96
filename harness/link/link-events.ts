import type { WireError } from "../errors.ts";

/** The listeners of one link, run so that none can take the process down, and its close told once. */
export class LinkEvents {
  line: Array<(line: Buffer) => void> = [];
  bad: Array<(error: WireError) => void> = [];
  close: Array<() => void> = [];
  closed = false;
  /**
   * Runs one listener from a socket callback. A listener that throws there would take the whole process down, so
   * the error is reported as a process warning and the link is dropped, as a device drops a connection it cannot use.
   */
  deliver<A>(listeners: Array<(arg: A) => void>, arg: A, drop: () => void): void {
    for (const l of listeners) {
      try {
        l(arg);
      } catch (error) {
        process.emitWarning(
          `hilfarm link listener failed, link dropped: ${error instanceof Error ? error.message : String(error)}`,
        );
        drop();
        return;
      }
    }
  }
  /** A listener added once the link has closed is told at once (on the next turn): a close is never missed. */
  addClose(listener: () => void): void {
    if (this.closed) queueMicrotask(() => this.deliver([listener], undefined, () => undefined));
    else this.close.push(listener);
  }
  fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deliver(this.close, undefined, () => undefined);
  }
}
