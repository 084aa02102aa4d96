import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { SerialPort } from "serialport";
import type { Clock, Timer } from "../../clock/clock.ts";
import { HilfarmError } from "../../errors.ts";
import { FrameSplitter } from "../../protocol/ct/frame-splitter.ts";
import { type FrameStream, withCrlf } from "../frame-stream.ts";
import { type SerialSettings, serialUrl } from "./serial-url.ts";

/** A serial port that cannot be opened: missing, busy, or not ours to open. */
export class SerialPortError extends HilfarmError {}

function explain(settings: SerialSettings, error: Error): SerialPortError {
  const m = error.message;
  if (/No such file|ENOENT|not found/i.test(m))
    return new SerialPortError(
      "SERIAL_MISSING",
      `serial port ${settings.path} not found: is the USB adapter plugged in? (ls /dev/ttyUSB* /dev/ttyACM*)`,
    );
  if (/lock|busy|EBUSY|temporarily unavailable/i.test(m))
    return new SerialPortError(
      "SERIAL_BUSY",
      `serial port ${settings.path} is busy: another program has it open (fuser ${settings.path} names it)`,
    );
  if (/permission|EACCES/i.test(m))
    return new SerialPortError(
      "SERIAL_DENIED",
      `serial port ${settings.path}: permission denied (add the user to the dialout group)`,
    );
  return new SerialPortError("SERIAL_FAILED", `serial port ${settings.path}: ${m}`);
}

function openPort(settings: SerialSettings): Promise<SerialPort> {
  const port = new SerialPort({
    path: settings.path,
    baudRate: settings.baudRate,
    dataBits: settings.dataBits,
    parity: settings.parity,
    stopBits: settings.stopBits,
    rtscts: settings.flowControl === "rtscts",
    xon: settings.flowControl === "xonxoff",
    xoff: settings.flowControl === "xonxoff",
    autoOpen: false,
    lock: true,
  });
  return new Promise((resolve, reject) =>
    port.open((error) => (error ? reject(explain(settings, error)) : resolve(port))),
  );
}

/**
 * CTS frames over a UART: CRLF-delimited lines, as on TCP, with the port's line settings. When the adapter is
 * pulled, the stream says so (`onDown`) and tries to open the port again every `reopenMs` on the clock until it is
 * back (`onUp`). Opening fails at once, with the reason, when the port is missing or busy at the start.
 */
export class SerialFrameStream implements FrameStream {
  readonly description: string;
  private port: SerialPort | undefined;
  private readonly lineListeners: Array<(line: Buffer) => void> = [];
  private readonly downListeners: Array<(reason: string) => void> = [];
  private readonly upListeners: Array<() => void> = [];
  private reopenTimer: Timer | undefined;
  private presenceTimer: Timer | undefined;
  private closed = false;
  readonly counters = { badFrames: 0, reopened: 0 };

  private constructor(
    readonly settings: SerialSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly reopenMs: number,
  ) {
    this.description = serialUrl(settings);
  }

  static async open(
    settings: SerialSettings,
    options: { clock: Clock; logger: Logger; reopenMs?: number },
  ): Promise<SerialFrameStream> {
    const stream = new SerialFrameStream(settings, options.clock, options.logger, options.reopenMs ?? 1000);
    stream.attach(await openPort(settings));
    return stream;
  }

  get up(): boolean {
    return this.port?.isOpen === true;
  }

  send(frame: Buffer): void {
    if (this.port?.isOpen) this.port.write(withCrlf(frame));
  }

  onLine(listener: (line: Buffer) => void): void {
    this.lineListeners.push(listener);
  }
  onDown(listener: (reason: string) => void): void {
    this.downListeners.push(listener);
  }
  onUp(listener: () => void): void {
    this.upListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reopenTimer?.cancel();
    this.presenceTimer?.cancel();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private attach(port: SerialPort): void {
    this.port = port;
    // A quiet port may never see the error its unplugging causes; the device node going away says it too.
    this.presenceTimer?.cancel();
    this.presenceTimer = this.clock.setInterval(
      () => {
        if (this.port === port && !existsSync(this.settings.path) && port.isOpen) port.close();
      },
      this.reopenMs,
      "serial-presence",
    );
    const splitter = new FrameSplitter(this.settings.maxFrameLength);
    port.on("data", (chunk: Buffer) => {
      for (const outcome of splitter.push(chunk)) {
        if (!outcome.ok) {
          this.counters.badFrames++;
          this.logger.debug(
            { link: this.description, error: outcome.error.code },
            "bytes from the serial port dropped",
          );
          continue;
        }
        for (const listener of this.lineListeners) listener(outcome.line);
      }
    });
    port.on("error", (error) =>
      this.logger.warn({ link: this.description, err: error.message }, "serial port error"),
    );
    port.on("close", () => {
      if (this.port !== port || this.closed) return;
      this.port = undefined;
      this.presenceTimer?.cancel();
      const reason = `serial port ${this.settings.path} was unplugged or closed`;
      this.logger.warn(
        { link: this.description },
        `${reason}; trying to open it again every ${this.reopenMs} ms`,
      );
      for (const listener of this.downListeners) listener(reason);
      this.scheduleReopen();
    });
  }

  private scheduleReopen(): void {
    this.reopenTimer = this.clock.setTimeout(
      () => {
        if (this.closed) return;
        openPort(this.settings).then(
          (port) => {
            if (this.closed) {
              port.close();
              return;
            }
            this.counters.reopened++;
            this.attach(port);
            this.logger.info({ link: this.description }, "serial port back");
            for (const listener of this.upListeners) listener();
          },
          () => this.scheduleReopen(),
        );
      },
      this.reopenMs,
      "serial-reopen",
    );
  }
}
