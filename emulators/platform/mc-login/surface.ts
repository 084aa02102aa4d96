import { hostPort } from "../../../harness/net/address.ts";
import { trackConnections } from "../connections.ts";
import type { PlatformContext } from "../context.ts";
import { closeListener, listenTcp } from "../net.ts";
import { DEFAULT_PORTS } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { answerLogin } from "./login-answer.ts";
import { createLoginServer } from "./login-server.ts";

/**
 * The Mc login server (5.3.1, 5.4.2.1) over TCP. It starts after the connection servers: its answers name one of
 * them.
 */
export const mcLoginSurface: Surface = {
  name: "mc-login",
  async start(context: PlatformContext): Promise<StartedSurface> {
    const { clock, events } = context;
    const server = createLoginServer({
      registry: context.registry,
      logger: context.logger,
      metrics: context.metrics,
      clock,
      admission: context.admission,
      guard: context.guard,
      loginTimeoutMs: 3 * context.timing.responseTimeoutMs,
      onRefused: (refusal) => events.emit("login-refused", { ...refusal, at: clock.now() }),
      framing: context.framing,
      maxFrameLength: context.maxFrameLength,
      onLogin: answerLogin(context),
    });
    const endConnections = trackConnections(server);
    const port = await listenTcp(
      server,
      context.options.loginPort ?? DEFAULT_PORTS.login,
      context.host,
      context.admission.acceptFailed("login"),
    );
    return {
      addresses: { login: hostPort(context.advertisedHost, port) },
      close: async () => {
        endConnections();
        await closeListener(server);
      },
    };
  },
};
