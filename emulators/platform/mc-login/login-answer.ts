import { unixSeconds } from "../../../harness/clock/clock.ts";
import { CipherKey } from "../../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../../harness/protocol/mc/codec.ts";
import type { McMessage } from "../../../harness/protocol/mc/schemas/index.ts";
import { newToken } from "../../../harness/random/random.ts";
import type { ConnectionEndpoint, PlatformContext } from "../context.ts";
import type { LoginServerOptions } from "./login-server.ts";

/** The least loaded connection server (docs/protocol-readings.md, "The reference platform" > Connection servers). */
function leastLoaded(servers: readonly ConnectionEndpoint[]): number {
  const chosen = servers.reduce<ConnectionEndpoint | undefined>(
    (a, b) => (a === undefined || b.load < a.load ? b : a),
    undefined,
  );
  return chosen === undefined ? -1 : servers.indexOf(chosen);
}

/** Answers a valid 1002 with a 1003: a token, a session key and the connection server to use (5.4.2.1). */
export function answerLogin(context: PlatformContext): LoginServerOptions["onLogin"] {
  const { clock, timing, logger, events, framing, secretRandom } = context;
  return ({ message }, pinKey, remote, raw) => {
    const { deviceId } = message.body;
    const skew = Math.abs(message.body.time * 1000 - clock.now());
    if (skew > timing.clockSkewWarnMs)
      logger.warn({ deviceId, skewSeconds: Math.round(skew / 1000) }, "device clock is off");
    // The live session, if any, stays until a 1004 with the new token proves the device holds the PIN: a captured
    // 1002 replayed gets its answer, which only the PIN opens, and moves nothing. The same 1002 again (same
    // sequence and time) is answered with the same token, so replaying it cannot crowd out the device's own login.
    const { token, sessionKey } = context.logins.issue(
      deviceId,
      `${message.body.sequence}/${message.body.time}`,
      () => {
        const sessionKey = newToken(secretRandom);
        return {
          deviceId,
          token: newToken(secretRandom),
          sessionKey,
          key: CipherKey.fromSessionKey(sessionKey),
          issuedAt: clock.now(),
        };
      },
    );
    const index = leastLoaded(context.connectionServers);
    const server = context.connectionServers[index];
    events.emit("login", { deviceId, remote });
    logger.info({ deviceId, remote, server: index }, "device logged in");
    const answer = {
      code: 1003,
      body: {
        result: 0,
        sequence: message.body.sequence,
        sessionKey,
        tcpHost: server?.tcp ?? "",
        udpHost: server?.udp ?? "",
        token,
        time: unixSeconds(clock),
      },
    } as McMessage;
    const frame = encodeFrame(answer, { key: pinKey, framing });
    events.emit("login-frame", { direction: "in", deviceId, message, at: clock.now(), raw });
    events.emit("login-frame", { direction: "out", deviceId, message: answer, at: clock.now(), raw: frame });
    return frame;
  };
}
