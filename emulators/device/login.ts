import type { Clock, Timer } from "../../harness/clock/clock.ts";
import type { Link } from "../../harness/link/socket-link.ts";
import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import type { Framing } from "../../harness/protocol/cts/envelope.ts";
import { decodeFrameLine } from "../../harness/protocol/mc/codec.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { BodyOf, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { formatSequence } from "../../harness/protocol/mc/sequence.ts";
import type { DeviceTiming } from "./options.ts";

/** `no-local-port`: this machine had no free local port for the connection (EADDRINUSE, EADDRNOTAVAIL). */
export type LoginFailure =
  | "refused"
  | "unreachable"
  | "timeout"
  | "fake-platform"
  | "network-down"
  | "no-local-port";

export type LoginAnswer = { message: Extract<McMessage, { code: 1003 }>; raw: Uint8Array };

/** One login on the login server's link (5.3.1 steps 2-3). */
export interface LoginExchange {
  link: Link;
  clock: Clock;
  /** 5.2: no answer within this is a failed login. */
  timeoutMs: number;
  pinKey: CipherKey;
  framing: Framing | undefined;
  /** The 1002, its random `sequence` included, already encrypted with the PIN. */
  send(): void;
  /** The response timer: the device cancels it when it powers off. */
  track(timer: Timer): void;
}

/**
 * Sends the 1002 and waits for the 1003 under the PIN: the answer, or `timeout` after the response timeout, or
 * `refused` when the platform closes the connection without one (an unknown device or a wrong PIN, 5.3.1 step 3).
 */
export function awaitLoginAnswer(exchange: LoginExchange): Promise<LoginFailure | LoginAnswer> {
  const { link, clock, pinKey, framing } = exchange;
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve("timeout"), exchange.timeoutMs, "login-timeout");
    exchange.track(timer);
    link.onLine((line) => {
      const decoded = decodeFrameLine(line, () => pinKey, framing);
      if (decoded.ok && decoded.value.message.code === 1003) {
        timer.cancel();
        resolve({ message: decoded.value.message, raw: line });
      }
    });
    link.onClose(() => {
      timer.cancel();
      resolve("refused");
    });
    exchange.send();
  });
}

/** The login request (1002): the device's id and firmware version, and its random sequence (5.4.2.1). */
export function loginRequest(
  deviceId: string,
  version: string,
  sequence: number,
  time: number,
): Extract<McMessage, { code: 1002 }> {
  return { code: 1002, body: { sequence: formatSequence(sequence), deviceId, version, time } };
}

/** What a 1003 says of the login: a failure, or undefined when the device is logged in. */
export function loginVerdict(response: BodyOf<1003>, sequence: number): LoginFailure | undefined {
  // 5.3.1 step 4: a platform that cannot echo our random sequence under the PIN is a fake.
  if (response.sequence !== formatSequence(sequence)) return "fake-platform";
  if (response.result !== McResult.Success) return "refused";
  return undefined;
}

/** 5.4.2.1: retry after 60 s, three times; then every authInterval (600 s when the platform gave none). */
export function loginRetryMs(
  consecutiveFailures: number,
  timing: DeviceTiming,
  authIntervalSeconds: number | undefined,
): number {
  return consecutiveFailures <= timing.loginRetries
    ? timing.loginRetryMs
    : (authIntervalSeconds ?? timing.defaultAuthIntervalSeconds) * 1000;
}
