/**
 * A carrier of CTS frame lines that has no connections of its own: a UART, or a device's pair of MQTT topics. One
 * device talks over it to the platform: its login and its sessions, one after the other.
 */
export interface CarrierLink {
  /** What it is, for logs and reports (`serial:///dev/ttyUSB0`, `mqtt hilfarm/link/<id>`). */
  readonly description: string;
  /** False while the carrier is gone (an adapter unplugged, a broker unreachable). */
  readonly up: boolean;
  /** Sends one frame; its CRLF may be given or not. Nothing is sent while the carrier is down. */
  send(frame: Buffer): void;
  onLine(listener: (line: Buffer) => void): void;
  /** The carrier went away (`reason` says how) or came back. */
  onDown(listener: (reason: string) => void): void;
  onUp(listener: () => void): void;
  close(): Promise<void>;
}

/** A frame without its trailing CRLF. */
export function withoutCrlf(frame: Buffer): Buffer {
  return frame.length >= 2 && frame[frame.length - 2] === 0x0d && frame[frame.length - 1] === 0x0a
    ? frame.subarray(0, -2)
    : frame;
}

/** A frame with exactly one trailing CRLF. */
export function withCrlf(frame: Buffer): Buffer {
  return Buffer.concat([withoutCrlf(frame), Buffer.from("\r\n")]);
}

/**
 * Runs a stream's listeners from an I/O callback (a serial port's data, an MQTT message). A listener that throws there
 * would become an uncaught exception and take the whole process down, so, as socket links do, the error is reported
 * as a process warning and `drop` is called to let go of the link, as a device drops a connection it cannot use.
 * The listeners after the one that threw are not run.
 */
export function deliverGuarded<A>(
  listeners: ReadonlyArray<(arg: A) => void>,
  arg: A,
  drop: () => void,
): void {
  for (const listener of listeners) {
    try {
      listener(arg);
    } catch (error) {
      process.emitWarning(
        `hilfarm link listener failed, link dropped: ${error instanceof Error ? error.message : String(error)}`,
      );
      drop();
      return;
    }
  }
}
