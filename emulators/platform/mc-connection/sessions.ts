import type { ConnectRequest } from "../../../harness/protocol/mc/schemas/index.ts";
import { parseSequence } from "../../../harness/protocol/mc/sequence.ts";
import type { PlatformContext } from "../context.ts";
import type { IssuedLogin } from "../logins.ts";
import { DeviceSession, type SessionEndReason, type SessionServices } from "../session.ts";
import type { SessionLink } from "../session-link.ts";
import type { ConnectionServer } from "./connection-server.ts";

/**
 * The hooks every session of `server` shares (ending, frames, resends, drops): made once per server, so that a
 * device online adds no closures of its own to the platform's heap.
 */
export function sessionServices(context: PlatformContext, server: ConnectionServer): SessionServices {
  const { clock, store, events, metrics } = context;
  const withholdAnswer = context.options.withholdAnswer;
  return {
    clock,
    timing: context.timing,
    random: context.random,
    handler: context.handler,
    logger: context.logger,
    onEnd: (s, reason) => endSession(context, s, reason, server),
    onFrame: (direction, s, message, raw) => {
      if (direction === "in") store.touch(s.deviceId, clock.now());
      // Built only for a listener (evidence, replay captures): a load run has none, and saves two per round trip.
      if (events.listenerCount("frame") === 0) return;
      events.emit("frame", {
        direction,
        deviceId: s.deviceId,
        message,
        at: clock.now(),
        ...(raw === undefined ? {} : { raw }),
      });
    },
    onResend: () => metrics.resends.inc(),
    onDropped: (_s, reason) => metrics.framesDropped.inc(reason),
    ...(withholdAnswer === undefined ? {} : { withholdAnswer }),
  };
}

/**
 * Opens a session for a valid 1004 on `server` (whose shared hooks are `services`): the device's older session ends
 * ("replaced"), the new one answers the connect, and the device (with its sub-devices' resource reports reset) is
 * online.
 */
export function openSession(
  context: PlatformContext,
  services: SessionServices,
  login: IssuedLogin,
  connect: ConnectRequest,
  channel: SessionLink,
  server: ConnectionServer,
  raw: Uint8Array,
): DeviceSession {
  const { store, events, logger, sessions } = context;
  context.logins.connected(login.token, parseSequence(connect.sequence));
  sessions.get(login.deviceId)?.end("replaced");
  const { deviceId, token, key } = login;
  const session = new DeviceSession(services, { deviceId, token, key, channel });
  sessions.set(login.deviceId, session);
  server.sessions.add(session);
  store.closeResourceReport(login.deviceId);
  for (const sub of store.subDevicesOf(login.deviceId)) store.closeResourceReport(sub.deviceId);
  session.start(connect, raw);
  context.presence.setOnline(login.deviceId, true, channel.transport);
  events.emit("session", { deviceId: login.deviceId, transport: channel.transport, remote: channel.remote });
  logger.info(
    { deviceId: login.deviceId, transport: channel.transport, remote: channel.remote },
    "device connected",
  );
  return session;
}

function endSession(
  context: PlatformContext,
  session: DeviceSession,
  reason: SessionEndReason,
  server: ConnectionServer,
): void {
  const { sessions, presence } = context;
  server.sessions.delete(session);
  context.metrics.sessionsEnded.inc(reason);
  context.events.emit("session-end", { deviceId: session.deviceId, reason });
  context.logger.info({ deviceId: session.deviceId, reason }, "session ended");
  // A token stops working with its session; a session replaced with the same token keeps it (its replacement
  // made the device's other tokens stop working).
  if (reason !== "replaced") context.logins.sessionEnded(session.token);
  if (sessions.get(session.deviceId) !== session) return;
  sessions.delete(session.deviceId);
  presence.setOnline(session.deviceId, false);
  // Sub-devices are reachable only through their gateway.
  for (const sub of context.store.subDevicesOf(session.deviceId)) presence.setOnline(sub.deviceId, false);
}
