import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { CipherKey } from "../../../harness/protocol/cts/crypto.ts";
import type { Framing } from "../../../harness/protocol/cts/envelope.ts";
import type { DecodedFrame } from "../../../harness/protocol/mc/codec.ts";
import { McStreamDecoder } from "../../../harness/protocol/mc/stream-decoder.ts";
import type { ConnectionAdmission } from "../admission.ts";
import type { HandlerGuard } from "../guard.ts";
import type { PlatformMetrics } from "../metrics.ts";
import { answerAndClose } from "../net.ts";
import type { Registry } from "../registry/index.ts";

export interface LoginServerOptions {
  registry: Registry;
  logger: Logger;
  metrics: PlatformMetrics;
  clock: Clock;
  admission: ConnectionAdmission;
  guard: HandlerGuard;
  framing: Framing;
  maxFrameLength: number;
  /** A connection that has not sent a 1002 after this long is closed. */
  loginTimeoutMs: number;
  /** A login refused (the connection closed without an answer), with the frame that caused it, if there was one. */
  onRefused?: (refusal: { outcome: string; raw?: Uint8Array; deviceId?: string }) => void;
  /** Answers a valid 1002: returns the 1003 frame to send. */
  onLogin: (
    frame: DecodedFrame & { message: { code: 1002 } },
    key: CipherKey,
    remote: string,
    raw: Uint8Array,
  ) => Buffer;
}

/**
 * The login server (5.3.1, 5.4.2.1) over TCP: the first frame must be a 1002 that decrypts with the PIN of its
 * clear `deviceId` and whose encrypted `deviceId` is the same. Anything else closes the connection without an
 * answer (docs/protocol-readings.md, "The reference platform" > Login).
 */
export function createLoginServer(options: LoginServerOptions): Server {
  const { registry, logger, metrics } = options;
  return createServer((socket: Socket) => {
    if (options.admission.admit(socket) === undefined) return;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    let done = false;
    const idle = options.clock.setTimeout(
      () => (done ? socket.destroy() : refuse("timeout")),
      options.loginTimeoutMs,
      "login-connection-timeout",
    );
    let lastRaw: Uint8Array | undefined;
    function refuse(outcome: string, detail: Record<string, unknown> = {}) {
      if (done) return;
      metrics.logins.inc(outcome);
      options.onRefused?.({
        outcome,
        ...(lastRaw === undefined ? {} : { raw: lastRaw }),
        ...(typeof detail.deviceId === "string" ? { deviceId: detail.deviceId } : {}),
      });
      logger.info({ remote, outcome, ...detail }, "login refused: connection closed without an answer");
      done = true;
      idle.cancel();
      socket.destroy();
    }
    // The key of the last PIN asked for: the 1003 is sealed with the key its 1002 was opened with, made once.
    let keyedPin: string | undefined;
    let pinKey: CipherKey | undefined;
    const keyOfPin = (pin: string): CipherKey => {
      if (keyedPin !== pin || pinKey === undefined) {
        pinKey = CipherKey.fromPin(pin);
        keyedPin = pin;
      }
      return pinKey;
    };
    const decoder = new McStreamDecoder({
      framing: options.framing,
      maxFrameLength: options.maxFrameLength,
      keyFor: (envelope) => {
        const device =
          envelope.code === 1002 && envelope.deviceId !== undefined
            ? registry.get(envelope.deviceId)
            : undefined;
        return device === undefined ? undefined : keyOfPin(device.pin);
      },
    });
    socket.on("data", (chunk: Buffer) =>
      options.guard.run(
        "login",
        () => receive(chunk),
        () => {
          done = true;
          idle.cancel();
          socket.destroy();
        },
      ),
    );
    function receive(chunk: Buffer) {
      for (const outcome of decoder.push(chunk)) {
        if (done) return;
        lastRaw = outcome.raw;
        if (!outcome.ok) {
          metrics.framesDropped.inc(outcome.error.code);
          if (outcome.error.code === "NO_KEY") refuse("unknown_device");
          else if (outcome.error.code === "DECRYPT_FAILED" || outcome.error.code === "BAD_BODY_JSON")
            refuse("wrong_pin");
          else refuse("bad_frame", { error: outcome.error.code });
          return;
        }
        const { envelope, message } = outcome.value;
        if (message.code !== 1002) return refuse("bad_frame", { code: message.code });
        if (message.body.deviceId !== envelope.deviceId)
          return refuse("device_id_mismatch", { deviceId: envelope.deviceId });
        // The key resolver found the device, so it is registered.
        const pin = registry.get(message.body.deviceId)?.pin ?? "";
        let response: Buffer;
        try {
          response = options.onLogin(
            outcome.value as DecodedFrame & { message: { code: 1002 } },
            keyOfPin(pin),
            remote,
            outcome.raw,
          );
        } catch (error) {
          logger.error({ remote, err: error }, "login answer could not be built");
          return refuse("platform_error");
        }
        done = true;
        metrics.logins.inc("ok");
        answerAndClose(socket, response);
      }
    }
    socket.on("close", () => idle.cancel());
    socket.on("error", (error) => logger.debug({ remote, err: error }, "login connection error"));
  });
}
