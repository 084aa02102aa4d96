import type { ScriptedDevice } from "../../emulators/device/scripted-device.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { type ClauseCheck, ClauseFailure, expectThat } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import {
  ANSWER_MS,
  api,
  captured,
  closing,
  connected,
  type HostileOptions,
  heartbeatAnswered,
  messageOf,
  reportPower,
  sourceAddresses,
  stillOpen,
  watchClose,
} from "./support.ts";
import { tcpExchange, udpSend } from "./wire.ts";

/** Waits `ms` of the target's time (virtual on hilfarm's platform in process, real otherwise). */
const pause = (target: PlatformTarget, ms: number) =>
  target.settle(
    new Promise<void>((resolve) => target.clock.setTimeout(resolve, ms, "hostile-pace")),
    ms + 1_000,
  );

/**
 * Runs `body` with a device connected over UDP and a replay of its `index`-th frame of `code` as a datagram from
 * another address: the login's source address when this machine has one (`sourceAddresses`), else another port of
 * this one. The device is closed afterwards.
 */
async function replayingOverUdp(
  target: PlatformTarget,
  options: HostileOptions,
  body: (on: {
    device: ScriptedDevice;
    replay: (code: number, index?: number) => Promise<void>;
    from: string;
  }) => Promise<void>,
): Promise<void> {
  const { loginFrom } = await sourceAddresses(target, options).catch(() => ({ loginFrom: undefined }));
  const { device, sent } = await connected(target, "udp");
  const replay = (code: number, index = 0) =>
    udpSend(
      device.udpHost ?? "",
      captured(sent, code, index),
      loginFrom === undefined ? {} : { from: loginFrom },
    );
  await closing(device, () => body({ device, replay, from: loginFrom ?? "another port" }));
}

/** H2: what a device sent, captured on the wire and replayed, must not end or move its session. */
export function replayClauses(options: HostileOptions): ClauseCheck<PlatformTarget>[] {
  const replays = options.replays ?? 20;
  return [
    {
      clause: "H2.1",
      title: `a device's captured 1002 replayed ${replays} times over two heartbeat intervals never ends its session: its connection stays open and every heartbeat is answered`,
      run: async (target) => {
        const { device, connect, sent } = await connected(target, "tcp");
        const isClosed = watchClose(device);
        await closing(device, async () => {
          const login = captured(sent, 1002);
          const interval = (connect.heartBeat ?? 30) * 1000;
          const spacing = Math.floor((2 * interval) / replays);
          for (let i = 1; i <= replays; i++) {
            const replay = await tcpExchange(target.loginAddress, login);
            expectThat(
              replay.failed === undefined,
              "the login port taking each replay",
              `${replay.failed} at replay ${i}`,
            );
            await pause(target, spacing);
            const when = `after replay ${i} of ${replays} of its 1002 (${((i * spacing) / 1000).toFixed(1)} s)`;
            stillOpen(isClosed, when);
            if (i % Math.ceil(replays / 2) === 0 || i === replays)
              await heartbeatAnswered(target, device, when, isClosed);
          }
        });
      },
    },
    {
      clause: "H2.2",
      title:
        "a device's captured 1004 replayed over a new TCP connection leaves its live connection open and answering",
      run: async (target) => {
        const { device, sent } = await connected(target, "tcp");
        const isClosed = watchClose(device);
        await closing(device, async () => {
          const replay = await tcpExchange(device.tcpHost ?? "", captured(sent, 1004));
          const when = `after its 1004 was replayed over a new connection (the replayer got ${replay.answer.length} bytes${replay.closed ? ", then its connection closed" : ""})`;
          await heartbeatAnswered(target, device, when, isClosed);
          stillOpen(isClosed, when);
        });
      },
    },
    {
      clause: "H2.3",
      title:
        "a device's captured 1004 replayed over UDP from another address and port leaves its session answering the device",
      run: async (target) => {
        await replayingOverUdp(target, options, async ({ device, replay, from }) => {
          await replay(1004);
          const when = `after its 1004 was replayed over UDP from ${from}`;
          await heartbeatAnswered(target, device, when);
          await heartbeatAnswered(target, device, `twice ${when}`);
          if (target.apiUrl !== undefined) {
            // A request of the platform's own must still go to the device, not to the replayer.
            const query = api(target).request(`/api/devices/${device.deviceId}/query`, { method: "POST" });
            query.catch(() => undefined);
            let request: McMessage;
            try {
              request = await target.settle(device.next(2003), ANSWER_MS);
            } catch (error) {
              throw new ClauseFailure(
                `expected the platform's query (2003, from POST /api/devices/:id/query) to reach the device ${when}; saw ${messageOf(error)}`,
              );
            }
            device.respond(request, 2002, { deviceId: device.deviceId, time: 1 });
            await reportPower(target, device, "1").catch(() => undefined);
            await target.settle(query, ANSWER_MS).catch(() => undefined);
          }
        });
      },
    },
    {
      clause: "H2.4",
      title:
        "after a session ends (the device closed its connection), its token is refused: a 1004 with it is closed without an answer",
      run: async (target) => {
        const { device, sent } = await connected(target, "tcp");
        // Half-closed, and closed by the platform in turn: the platform has seen the session end.
        await target.settle(device.hangUp(), ANSWER_MS).catch(() => undefined);
        device.close();
        const replay = await tcpExchange(device.tcpHost ?? "", captured(sent, 1004));
        expectThat(
          replay.closed && replay.answer.length === 0,
          "the 1004 with the ended session's token closed without an answer",
          replay.answer.length > 0
            ? `an answer of ${replay.answer.length} bytes`
            : "the connection left open for 10 s without an answer",
        );
      },
    },
    {
      clause: "H2.5",
      title:
        "a device's in-session request replayed over UDP from another address is not applied twice and does not move the session",
      run: async (target) => {
        await replayingOverUdp(target, options, async ({ device, replay, from }) => {
          await reportPower(target, device, "1");
          await reportPower(target, device, "0");
          await replay(2006, 0);
          const when = `after its report POWER=1 was replayed over UDP from ${from}`;
          await heartbeatAnswered(target, device, when);
          if (target.apiUrl !== undefined) {
            const answer = await api(target).request(`/api/devices/${device.deviceId}`);
            const power = (() => {
              try {
                return (JSON.parse(answer.text) as { status?: Record<string, Record<string, string>> })
                  .status?.["0"]?.POWER;
              } catch {
                return undefined;
              }
            })();
            expectThat(
              power === "0",
              `the device's state still POWER=0 (its last report) ${when}`,
              `GET /api/devices/:id: ${answer.status}, POWER=${String(power)}`,
            );
          }
        });
      },
    },
  ];
}
