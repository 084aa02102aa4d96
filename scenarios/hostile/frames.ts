import { type ClauseCheck, ClauseFailure, expectThat } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import {
  ANSWER_MS,
  connected,
  heartbeatAnswered,
  messageOf,
  probe,
  stillOpen,
  watchClose,
} from "./support.ts";
import { DEPTH, deepFrames, pinKey, sessionKey, tcpExchange, udpSend } from "./wire.ts";

/** H1: one frame, on one surface, must not stop the platform. */
function oneFrame(surface: "login" | "tcp" | "udp"): ClauseCheck<PlatformTarget> {
  const where = {
    login: "as a line to the login port",
    tcp: "as a line to the TCP connection port",
    udp: "as a datagram to the UDP connection server",
  }[surface];
  return {
    clause: { login: "H1.1", tcp: "H1.2", udp: "H1.3" }[surface],
    title: `frames nested ${DEPTH.toLocaleString("en")} deep ${where} never stop the platform: afterwards it answers a connected device's heartbeat (same session) and a new login`,
    run: async (target) => {
      // The barrier: a UDP device's heartbeat goes to the UDP server after the hostile datagrams.
      const { device: live } = await connected(target, surface === "udp" ? "udp" : "tcp");
      const isClosed = watchClose(live);
      const other = probe(target, 1);
      try {
        const otherDevice = target.devices[1 % target.devices.length] ?? { deviceId: "", pin: "" };
        let frames: ReturnType<typeof deepFrames>;
        if (surface === "login") {
          frames = deepFrames({ code: 1002, deviceId: otherDevice.deviceId, key: pinKey(otherDevice.pin) });
        } else {
          // A login of another device gives a token and a session key: envelopes that pass the token check.
          const login = await target.settle(other.login(target.loginAddress), ANSWER_MS);
          frames = deepFrames({ code: 1004, token: login.token, key: sessionKey(login.sessionKey) });
        }
        const address =
          surface === "login" ? target.loginAddress : surface === "tcp" ? live.tcpHost : live.udpHost;
        if (address === undefined) throw new Error("no address from the 1003");
        let before = "connecting";
        for (const frame of frames) {
          if (surface === "udp") await udpSend(address, frame.bytes);
          else {
            const exchange = await tcpExchange(address, frame.bytes);
            expectThat(
              exchange.failed === undefined,
              `the platform still taking connections ${where} after ${before}`,
              `${exchange.failed} when sending ${frame.name}`,
            );
          }
          before = frame.name;
        }
        const sent = `after ${frames.length} frames nested ${DEPTH} deep ${where}`;
        try {
          await heartbeatAnswered(target, live, sent, isClosed);
        } catch (error) {
          // Over UDP silence is all there is: say whether the platform is gone altogether.
          const login = await tcpExchange(target.loginAddress, Buffer.alloc(0), { maxMs: 2_000 });
          const gone =
            login.failed === undefined ? "" : ` (and the login port: ${login.failed}, the platform is gone)`;
          throw new ClauseFailure(`${messageOf(error)}${gone}`);
        }
        stillOpen(isClosed, sent);
        const again = probe(target, 1);
        try {
          const login = await target.settle(again.login(target.loginAddress), ANSWER_MS);
          expectThat(login.result === 0, `a new login answered ${sent}`, `result ${login.result}`);
        } catch (error) {
          if (error instanceof ClauseFailure) throw error;
          throw new ClauseFailure(`expected a new login answered ${sent}; saw ${messageOf(error)}`);
        } finally {
          again.close();
        }
      } finally {
        other.close();
        live.close();
      }
    },
  };
}

/** H1: frames nested 5,000 deep, on the login port, the TCP connection port and the UDP connection server. */
export const frameClauses: readonly ClauseCheck<PlatformTarget>[] = [
  oneFrame("login"),
  oneFrame("tcp"),
  oneFrame("udp"),
];
