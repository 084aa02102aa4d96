import { timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import { createServer, type Socket } from "node:net";
import { hostPort } from "../net/address.ts";

// aedes 0.51 is CommonJS whose named exports Node's ESM loader cannot see; require it.
const { createBroker } = createRequire(import.meta.url)("aedes") as typeof import("aedes");
type Aedes = ReturnType<typeof createBroker>;

export interface EmbeddedBroker {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port, read back into `port`. */
  port?: number;
  /**
   * A client of the broker's own process (the platform's fan-out) that alone may connect with `clientId`, by
   * `password`, and alone may publish on topics starting with `topics`. Anyone else may connect and subscribe, but
   * not take its session (MQTT ends the older of two clients with one id) nor publish what only it publishes.
   */
  owner?: BrokerOwner;
}

export interface BrokerOwner {
  clientId: string;
  password: string;
  topics: string;
}

/** The hooks that keep `owner`'s client id and topics its own. */
function ownerHooks(owner: BrokerOwner): Parameters<typeof createBroker>[0] {
  const secret = Buffer.from(owner.password);
  return {
    authenticate: (client, _username, password, done) => {
      if (client.id !== owner.clientId) return done(null, true);
      const given = Buffer.from(password ?? "");
      if (given.length === secret.length && timingSafeEqual(given, secret)) return done(null, true);
      // 5: not authorized (MQTT 3.1.1, 3.2.2.3).
      done(
        Object.assign(new Error(`client id ${owner.clientId} is the broker owner's`), { returnCode: 5 }),
        false,
      );
    },
    authorizePublish: (client, packet, done) => {
      if (client === null || client.id === owner.clientId || !packet.topic.startsWith(owner.topics))
        return done(null);
      done(new Error(`only ${owner.clientId} publishes under ${owner.topics}`));
    },
  };
}

/**
 * An in-process MQTT broker (aedes) on a TCP port, for the reference platform and tests.
 * aedes is pinned to 0.51: 1.2 does not deliver a retained PUBLISH to subscribers that already exist.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  const aedes = createBroker(options.owner === undefined ? {} : ownerHooks(options.owner));
  const server = createServer(aedes.handle);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(requestedPort, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await closeAedes(aedes);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`embedded MQTT broker cannot listen on ${host}:${requestedPort}: ${reason}`, {
      cause: error,
    });
  }

  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("embedded MQTT broker: no TCP address");
  const port = address.port;
  let closing: Promise<void> | undefined;

  return {
    url: `mqtt://${hostPort(host, port)}`,
    host,
    port,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeAedes(aedes);
        // aedes only closes connections that completed CONNECT; a bare socket would hold server.close open.
        for (const socket of sockets) socket.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}

function closeAedes(aedes: Aedes): Promise<void> {
  return new Promise((resolve) => aedes.close(() => resolve()));
}
