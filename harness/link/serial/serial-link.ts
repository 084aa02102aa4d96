import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { SerialPort } from "serialport";
import type { Clock, Timer } from "../../clock/clock.ts";
import { HilfarmError } from "../../errors.ts";
import { type CarrierLink, deliverGuarded, withCrlf } from "../carrier-link.ts";
import { crlfFramer, type FramerFactory } from "../framer.ts";
import { type SerialSettings, serialUrl } from "./serial-url.ts";

/** A serial port that cannot be opened: missing, busy, or not ours to open. */
export class SerialPortError extends HilfarmError {}

export type SerialOpenFailure = "SERIAL_MISSING" | "SERIAL_BUSY" | "SERIAL_DENIED" | "SERIAL_FAILED";

/**
 * Why a port did not open, from the error's errno code when it has one, else from the text of the reason alone: the
 * bindings write `Error: <strerror>, cannot open <path>` (or `Error <strerror> Cannot lock port`), and the path must
 * not be read as the reason (`/dev/smartlock0` is not "lock", `/dev/ttyNotFound1` is not "not found").
 */
export function classifyOpenError(path: string, error: Error & { code?: unknown }): SerialOpenFailure {
  switch (typeof error.code === "string" ? error.code : "") {
    case "ENOENT":
    case "ENODEV":
    case "ENXIO":
      return "SERIAL_MISSING";
    case "EBUSY":
    case "EAGAIN":
    case "EWOULDBLOCK":
      return "SERIAL_BUSY";
    case "EACCES":
    case "EPERM":
      return "SERIAL_DENIED";
  }
  const reason = error.message
    .split(path)
    .join(" ")
    .replace(/,?\s*cannot open\b[\s\S]*$/i, "");
  if (/No such file|ENOENT|not found|No such device/i.test(reason)) return "SERIAL_MISSING";
  if (/Cannot lock port|busy|temporarily unavailable/i.test(reason)) return "SERIAL_BUSY";
  if (/permission denied|EACCES|not permitted/i.test(reason)) return "SERIAL_DENIED";
  return "SERIAL_FAILED";
}

function explain(settings: SerialSettings, error: Error): SerialPortError {
  const { path } = settings;
  switch (classifyOpenError(path, error)) {
    case "SERIAL_MISSING":
      return new SerialPortError(
        "SERIAL_MISSING",
        `serial port ${path} not found: is the USB adapter plugged in? (ls /dev/ttyUSB* /dev/ttyACM*)`,
      );
    case "SERIAL_BUSY":
      return new SerialPortError(
        "SERIAL_BUSY",
        `serial port ${path} is busy: another program has it open (fuser ${path} names it)`,
      );
    case "SERIAL_DENIED":
      return new SerialPortError(
        "SERIAL_DENIED",
        `serial port ${path}: permission denied (add the user to the dialout group)`,
      );
    case "SERIAL_FAILED":
      return new SerialPortError("SERIAL_FAILED", `serial port ${path}: ${error.message}`);
  }
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
 * back (`onUp`). Opening fails at once, with the reason, when the port is missing or busy at the start. A command
 * with nothing else open (`hilfarm devices --serial`) stays up while the cable is out because it holds the process
 * until its stop signal (`untilStopped`), not because of anything here. A listener that throws
 * drops the port (with a process warning), which is then opened again, as after an unplug.
 */
export class SerialLink implements CarrierLink {
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
    private readonly framer: FramerFactory,
  ) {
    this.description = serialUrl(settings);
  }

  /** `framer`: how the port's bytes split into frames; CTS lines (CRLF) unless given. */
  static async open(
    settings: SerialSettings,
    options: { clock: Clock; logger: Logger; reopenMs?: number; framer?: FramerFactory },
  ): Promise<SerialLink> {
    const stream = new SerialLink(
      settings,
      options.clock,
      options.logger,
      options.reopenMs ?? 1000,
      options.framer ?? crlfFramer(settings.maxFrameLength),
    );
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
    const frames = this.framer();
    port.on("data", (chunk: Buffer) => {
      for (const outcome of frames.push(chunk)) {
        if (!outcome.ok) {
          this.counters.badFrames++;
          this.logger.debug(
            { link: this.description, error: outcome.error.code },
            "bytes from the serial port dropped",
          );
          continue;
        }
        deliverGuarded(this.lineListeners, outcome.frame, () => {
          if (this.port === port && port.isOpen) port.close();
        });
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
      deliverGuarded(this.downListeners, reason, () => undefined);
      this.scheduleReopen();
    });
  }

  private scheduleReopen(): void {
    if (this.closed) return;
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
            deliverGuarded(this.upListeners, undefined, () => {
              if (this.port === port && port.isOpen) port.close();
            });
          },
          (error: unknown) => {
            if (this.closed) return;
            this.logger.debug(
              { link: this.description, reason: error instanceof Error ? error.message : String(error) },
              "serial port not back yet",
            );
            this.scheduleReopen();
          },
        );
      },
      this.reopenMs,
      "serial-reopen",
    );
  }
}
