import type { Logger } from "pino";
import type { Clock, Timer } from "../../../harness/clock/clock.ts";
import { crlfFramer } from "../../../harness/link/framer.ts";
import { type AcceptedLink, listenLinks } from "../../../harness/link/listener.ts";
import { encodeLanFrame } from "../../../harness/protocol/md/lan-frame.ts";
import type { LanMessage } from "../../../harness/protocol/md/messages.ts";
import type { LanAs, LanChange } from "./lan-attributes.ts";
import type { LanCounters } from "./lan-counters.ts";
import {
  canPost,
  type LanDeviceView,
  type LanSession,
  type LanSessionAction,
  type LanSessionEvent,
  openLanSession,
  sessionDeadline,
  stepLanSession,
} from "./lan-session.ts";

/** One client of the control port, as the LAN side sees it. */
export interface LanClient {
  readonly remote: string;
}

export interface LanControlServerOptions {
  /** `host:port`; port 0 for a free one. */
  address: string;
  clock: Clock;
  view: LanDeviceView;
  counters: LanCounters;
  maxClients: number;
  maxFrameLength: number;
  authDeadlineMs: number;
  /** A device that is off takes no client. */
  isOn(): boolean;
  /** An `opt` passed its checks: apply it, tell the others, and give the new values of the attributes set. */
  apply(changes: LanChange[], from: LanClient): LanAs;
  onAuthenticated(client: LanClient): void;
  logger?: Logger | undefined;
}

export interface LanControlServer {
  readonly address: string;
  /** Sends a spontaneous message to every client whose lanKey is alive, but `except`. */
  post(message: LanMessage, except?: LanClient): number;
  /** Connections turned away because `maxClients` were open. */
  readonly overflow: number;
  /** Closes every client (the device powered off). */
  closeClients(): void;
  close(): Promise<void>;
}

interface Client extends LanClient {
  link: AcceptedLink;
  session: LanSession;
  timer: Timer | undefined;
  armedFor: number | undefined;
}

/** The socket edge of 6.2.2-6.2.5: TCP, CTS frames cut at CRLF, one `LanSession` per client. */
export async function startLanControlServer(options: LanControlServerOptions): Promise<LanControlServer> {
  const { clock, view, counters, logger } = options;
  const listener = await listenLinks("tcp", options.address, {
    framer: crlfFramer(options.maxFrameLength),
    maxLinks: options.maxClients,
  });
  const clients = new Set<Client>();

  const send = (client: Client, message: LanMessage) => {
    const key = client.session.phase === "authenticated" ? client.session.key : undefined;
    client.link.send(encodeLanFrame(message, key));
  };

  const perform = (client: Client, action: LanSessionAction) => {
    switch (action.kind) {
      case "send":
        client.link.send(encodeLanFrame(action.message, action.key));
        return;
      case "apply": {
        const as = options.apply(action.changes, client);
        const { fids, ota } = view.snapshot();
        send(client, {
          cmd: "post",
          mid: action.mid,
          from: view.deviceId,
          as,
          ...(fids === undefined || fids.length === 0 ? {} : { fids }),
          ...(ota === undefined ? {} : { ota }),
        });
        return;
      }
      case "authenticated":
        counters.authenticated++;
        logger?.debug(
          { deviceId: view.deviceId, remote: client.remote, liveTime: action.liveTimeS },
          "LAN client authenticated",
        );
        options.onAuthenticated(client);
        return;
      case "drop":
        counters.droppedFrames++;
        return;
      case "close":
        counters.closed[action.reason]++;
        logger?.debug(
          { deviceId: view.deviceId, remote: client.remote, reason: action.reason },
          "LAN client closed",
        );
        client.link.close();
        return;
    }
  };

  const rearm = (client: Client) => {
    const deadline = sessionDeadline(client.session);
    if (deadline === client.armedFor) return;
    client.timer?.cancel();
    client.armedFor = deadline;
    client.timer =
      deadline === undefined
        ? undefined
        : clock.setTimeout(
            () => run(client, { kind: "time", now: clock.now() }),
            deadline - clock.now(),
            "lan-session",
          );
  };

  const run = (client: Client, event: LanSessionEvent) => {
    const step = stepLanSession(client.session, event, view);
    client.session = step.session;
    for (const action of step.actions) perform(client, action);
    rearm(client);
  };

  listener.onLink((link) => {
    if (!options.isOn()) {
      counters.refusedClients++;
      link.close();
      return;
    }
    counters.clients++;
    const client: Client = {
      remote: link.remote,
      link,
      session: openLanSession(clock.now(), options.authDeadlineMs),
      timer: undefined,
      armedFor: undefined,
    };
    clients.add(client);
    link.onLine((line) => run(client, { kind: "frame", line, now: clock.now() }));
    link.onBadFrame((error) => run(client, { kind: "bad-frame", code: error.code, now: clock.now() }));
    link.onClose(() => {
      client.timer?.cancel();
      clients.delete(client);
    });
    rearm(client);
  });

  return {
    address: listener.address,
    get overflow() {
      return listener.refused;
    },
    post(message, except) {
      const now = clock.now();
      let sent = 0;
      for (const client of clients) {
        if (client === except || !canPost(client.session, now)) continue;
        send(client, message);
        sent++;
      }
      counters.posts += sent;
      return sent;
    },
    closeClients() {
      for (const client of [...clients]) client.link.close();
    },
    async close() {
      for (const client of clients) client.timer?.cancel();
      await listener.close();
    },
  };
}
