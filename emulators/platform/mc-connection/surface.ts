import { hostPort, udpSocketType } from "../../../harness/net/address.ts";
import { trackConnections } from "../connections.ts";
import type { PlatformContext } from "../context.ts";
import { bindUdp, closeListener, listenTcp } from "../net.ts";
import { DEFAULT_PORTS } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { ConnectionServer } from "./connection-server.ts";
import { openSession, sessionServices } from "./sessions.ts";

function connectionServer(context: PlatformContext): ConnectionServer {
  const server: ConnectionServer = new ConnectionServer(
    {
      logins: context.logins,
      logger: context.logger,
      metrics: context.metrics,
      clock: context.clock,
      admission: context.admission,
      guard: context.guard,
      liveSession: (deviceId) => context.sessions.get(deviceId),
      connectTimeoutMs: 3 * context.timing.responseTimeoutMs,
      framing: context.framing,
      maxFrameLength: context.maxFrameLength,
      onConnect: (login, connect, channel, _server, raw) =>
        openSession(context, services, login, connect, channel, server, raw),
    },
    udpSocketType(context.host),
  );
  const services = sessionServices(context, server);
  return server;
}

/**
 * The Mc connection servers (5.4.2.2), each a TCP listener and a UDP socket: server i on tcpPort + i and
 * udpPort + i. Addresses: `tcp` and `udp` of the first, `tcp/<i>` and `udp/<i>` of the others.
 */
export const mcConnectionSurface: Surface = {
  name: "mc-connection",
  async start(context: PlatformContext): Promise<StartedSurface> {
    const { options, host, advertisedHost, admission } = context;
    const count = Math.max(1, options.connectionServers ?? 1);
    const servers = Array.from({ length: count }, () => connectionServer(context));
    const endConnections = servers.map((server) => trackConnections(server.tcp));
    const closers: Array<() => Promise<void>> = [];
    const close = async () => {
      context.connectionServers = [];
      for (const end of endConnections) end();
      await Promise.allSettled(closers.map((closeOne) => closeOne()));
    };
    const tcpBase = options.tcpPort ?? DEFAULT_PORTS.tcp;
    const udpBase = options.udpPort ?? DEFAULT_PORTS.udp;
    const addresses: Record<string, string> = {};
    try {
      for (const [i, server] of servers.entries()) {
        const tcpPort = await listenTcp(
          server.tcp,
          tcpBase === 0 ? 0 : tcpBase + i,
          host,
          admission.acceptFailed(`tcp/${i}`),
        );
        closers.push(() => closeListener(server.tcp));
        const udpPort = await bindUdp(server.udp, udpBase === 0 ? 0 : udpBase + i, host);
        closers.push(() => closeListener(server.udp));
        const tcp = hostPort(advertisedHost, tcpPort);
        const udp = hostPort(advertisedHost, udpPort);
        context.connectionServers.push({
          tcp,
          udp,
          get load() {
            return server.load;
          },
        });
        addresses[i === 0 ? "tcp" : `tcp/${i}`] = tcp;
        addresses[i === 0 ? "udp" : `udp/${i}`] = udp;
      }
    } catch (error) {
      await close();
      throw error;
    }
    return { addresses, close };
  },
};
