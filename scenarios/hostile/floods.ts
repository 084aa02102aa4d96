import { type ClauseCheck, ClauseFailure, expectThat } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import { describeTally, type Flood, startFlood } from "./flood.ts";
import { realTime } from "./real-time.ts";
import {
  ANSWER_MS,
  api,
  connected,
  type HostileOptions,
  heartbeatAnswered,
  messageOf,
  probe,
  shown,
  sourceAddresses,
  stillOpen,
  watchClose,
} from "./support.ts";
import type { HttpAnswer } from "./wire.ts";

/** `flood` connections from `from`, half on the login port and half on the TCP connection port. */
async function floodBoth(
  target: PlatformTarget,
  tcpHost: string,
  count: number,
  from: string | undefined,
): Promise<Flood[]> {
  const on = from === undefined ? {} : { from };
  const floods = await Promise.allSettled([
    startFlood(target.loginAddress, Math.ceil(count / 2), on),
    startFlood(tcpHost, Math.floor(count / 2), on),
  ]);
  const started = floods.flatMap((f) => (f.status === "fulfilled" ? [f.value] : []));
  const failed = floods.find((f) => f.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(started.map((f) => f.release()));
    throw new Error(`the flood could not start: ${messageOf(failed.reason)}`);
  }
  return started;
}

const floodTally = async (floods: Flood[]) => {
  const [login, tcp] = await Promise.all(floods.map((f) => f.count()));
  return `login port: ${login === undefined ? "-" : describeTally(login)}; TCP connection port: ${tcp === undefined ? "-" : describeTally(tcp)}`;
};

/** H3: connections held from one address must not lock out other devices or the API. */
export function floodClauses(options: HostileOptions): ClauseCheck<PlatformTarget>[] {
  return [
    {
      clause: "H3.1",
      title: `${options.flood.toLocaleString("en")} connections held on the login and TCP connection ports from one address leave a connected device answered and a login and connect from another address working`,
      run: async (target) => {
        const { floodFrom, loginFrom } = await sourceAddresses(target, options);
        const { device: live } = await connected(target, "tcp");
        const isClosed = watchClose(live);
        let floods: Flood[] = [];
        const other = probe(target, 1);
        try {
          floods = await floodBoth(target, live.tcpHost ?? "", options.flood, floodFrom);
          const when = `while ${options.flood} connections from ${floodFrom ?? "this machine"} are held`;
          await heartbeatAnswered(target, live, when, isClosed, realTime);
          stillOpen(isClosed, when);
          try {
            await realTime(other.login(target.loginAddress, { from: loginFrom }), ANSWER_MS);
            await realTime(other.connect("tcp", { from: loginFrom }), ANSWER_MS);
          } catch (error) {
            throw new ClauseFailure(
              `expected a login and connect from ${loginFrom} to work ${when}; saw ${messageOf(error)} (${await floodTally(floods)})`,
            );
          }
          await heartbeatAnswered(target, other, `from ${loginFrom} ${when}`, () => false, realTime);
        } finally {
          other.close();
          live.close();
          await Promise.all(floods.map((f) => f.release()));
        }
      },
    },
    {
      clause: "H3.2",
      title: `${options.flood.toLocaleString("en")} connections held on the login and TCP connection ports from one address leave the API answering`,
      run: async (target) => {
        const { request } = api(target);
        const { floodFrom } = await sourceAddresses(target, options);
        const probeLogin = probe(target, 1);
        let floods: Flood[] = [];
        try {
          await target.settle(probeLogin.login(target.loginAddress), ANSWER_MS);
          floods = await floodBoth(target, probeLogin.tcpHost ?? "", options.flood, floodFrom);
          let answer: HttpAnswer;
          try {
            answer = await request("/api/devices");
          } catch (error) {
            throw new ClauseFailure(
              `expected GET /api/devices answered during the flood; saw ${messageOf(error)} (${await floodTally(floods)})`,
            );
          }
          expectThat(answer.status === 200, "GET /api/devices answered 200 during the flood", shown(answer));
        } finally {
          probeLogin.close();
          await Promise.all(floods.map((f) => f.release()));
        }
      },
    },
  ];
}
