import type { WireError } from "../errors.ts";

/** The listeners of one link, run so that none can take the process down, and its close told once. */
export class LinkEvents {
  /**
   * Grown by `concat`, which makes an array of the exact length: most links have one listener of each kind, and an
   * array grown by `push` (or by a spread) reserves 17 slots, about 130 bytes more, which a farm of 100,000 links
   * pays three times over. A listener added while a line is delivered gets the next line, not that one.
   */
  line: ReadonlyArray<(line: Buffer) => void> = [];
  bad: ReadonlyArray<(error: WireError) => void> = [];
  close: ReadonlyArray<() => void> = [];
  closed = false;
  addLine(listener: (line: Buffer) => void): void {
    this.line = this.line.concat(listener);
  }
  addBad(listener: (error: WireError) => void): void {
    this.bad = this.bad.concat(listener);
  }
  /**
   * Runs one listener from a socket callback. A listener that throws there would take the whole process down, so
   * the error is reported as a process warning and the link is dropped (`link.close()`), as a device drops a
   * connection it cannot use.
   */
  deliver<A>(listeners: ReadonlyArray<(arg: A) => void>, arg: A, link: { close(): void }): void {
    for (const l of listeners) {
      try {
        l(arg);
      } catch (error) {
        process.emitWarning(
          `hilfarm link listener failed, link dropped: ${error instanceof Error ? error.message : String(error)}`,
        );
        link.close();
        return;
      }
    }
  }
  /** A listener added once the link has closed is told at once (on the next turn): a close is never missed. */
  addClose(listener: () => void): void {
    if (this.closed) queueMicrotask(() => this.deliver([listener], undefined, closedLink));
    else this.close = this.close.concat(listener);
  }
  fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deliver(this.close, undefined, closedLink);
  }
}

/** What a close listener that throws drops: the link has closed already. */
const closedLink = { close: () => undefined };
