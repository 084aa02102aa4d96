import { LinkClosed, ScriptedDevice } from "../../emulators/device/scripted-device.ts";
import type { BodyOf } from "../../harness/protocol/mc/schemas/index.ts";
import type { PlatformTarget } from "../target/target.ts";
import { type ClauseCheck, expectThat } from "./clause.ts";

/**
 * The platform-under-test suite: what a platform must do, seen from the devices' side of the wire only, so it
 * runs against hilfarm's platform (virtual time) or anyone's (real time) unchanged.
 */
const ANSWER_MS = 10_000;

/** A scripted device playing the registry's `n`-th device; its frames go to the target's evidence. */
const probe = (target: PlatformTarget, n = 0, as?: { deviceId: string; pin: string }) => {
  const device = as ?? target.devices[n % target.devices.length];
  if (device === undefined) throw new Error("no test device");
  const scripted = new ScriptedDevice(device.deviceId, device.pin, target.clock);
  target.evidence?.recordDevice(scripted);
  return scripted;
};

async function connected(
  target: PlatformTarget,
  transport: "tcp" | "udp",
): Promise<{ device: ScriptedDevice; connect: BodyOf<1005> }> {
  const device = probe(target);
  await target.settle(device.login(target.loginAddress), ANSWER_MS);
  const connect = await target.settle(device.connect(transport), ANSWER_MS);
  return { device, connect };
}

/**
 * How an attempt the platform should refuse ended: the connection closed with no answer (what the clauses ask),
 * 10 s of silence with the connection left open, or an answer.
 */
async function refusal(
  target: PlatformTarget,
  attempt: Promise<unknown>,
): Promise<"closed" | "silent" | "answered"> {
  try {
    await target.settle(attempt, ANSWER_MS);
    return "answered";
  } catch (error) {
    return error instanceof LinkClosed ? "closed" : "silent";
  }
}

const refusedBy = (outcome: string) =>
  outcome === "answered" ? "an answer" : "no answer, but the connection was left open for 10 s";

const using = async <T>(device: ScriptedDevice, body: () => Promise<T>): Promise<T> => {
  try {
    return await body();
  } finally {
    device.close();
  }
};

export const platformClauses: readonly ClauseCheck<PlatformTarget>[] = [
  {
    clause: "5.4.2.1",
    title: "a valid login is answered with a PIN-encrypted 1003 that echoes the device's sequence",
    run: async (target) => {
      const device = probe(target);
      const body = await using(device, () => target.settle(device.login(target.loginAddress), ANSWER_MS));
      expectThat(body.result === 0, "result 0", `result ${body.result}`);
      expectThat(
        body.sequence === "100",
        'sequence "100" echoed',
        `sequence ${JSON.stringify(body.sequence)}`,
      );
      expectThat(
        /^.+:\d+$/.test(body.tcpHost) && /^.+:\d+$/.test(body.udpHost),
        "tcpHost and udpHost as host:port",
        `${body.tcpHost}, ${body.udpHost}`,
      );
    },
  },
  {
    clause: "5.4.2.1",
    title: "a login with a wrong PIN is refused by closing the connection without an answer",
    run: async (target) => {
      const device = probe(target);
      const attempt = device.login(target.loginAddress, { pin: "WRONGPIN0123456789abcdefghijklmn" });
      const outcome = await using(device, () => refusal(target, attempt));
      expectThat(outcome === "closed", "the connection closed without a 1003", refusedBy(outcome));
    },
  },
  {
    clause: "5.4.2.1",
    title: "a login from an unknown device is refused without an answer",
    run: async (target) => {
      const device = probe(target, 0, {
        deviceId: "ffffffffffffffff00000000",
        pin: "UNKNOWN0123456789abcdefghijklmno",
      });
      const attempt = device.login(target.loginAddress);
      const outcome = await using(device, () => refusal(target, attempt));
      expectThat(outcome === "closed", "the connection closed without a 1003", refusedBy(outcome));
    },
  },
  {
    clause: "5.4.2.2",
    title: "a connect over TCP is answered with 1005, result 0, and the heartbeat interval",
    run: async (target) => {
      const { device, connect } = await connected(target, "tcp");
      device.close();
      expectThat(connect.result === 0, "result 0", `result ${connect.result}`);
      expectThat(
        connect.sequence === "100",
        'the connect\'s sequence "100"',
        JSON.stringify(connect.sequence),
      );
    },
  },
  {
    clause: "5.4.2.2",
    title: "a connect over UDP is answered with 1005, result 0",
    run: async (target) => {
      const { device, connect } = await connected(target, "udp");
      device.close();
      expectThat(connect.result === 0, "result 0", `result ${connect.result}`);
    },
  },
  {
    clause: "5.4.2.2",
    title: "a connect whose encrypted token is forged is closed without an answer",
    run: async (target) => {
      const device = probe(target);
      await using(device, async () => {
        await target.settle(device.login(target.loginAddress), ANSWER_MS);
        const attempt = device.connect("tcp", { bodyToken: "forgedtoken12345" });
        const outcome = await refusal(target, attempt);
        expectThat(outcome === "closed", "the connection closed without a 1005", refusedBy(outcome));
      });
    },
  },
  {
    clause: "5.4.2.3",
    title: "a heartbeat is answered at once with the same sequence",
    run: async (target) => {
      const { device } = await connected(target, "tcp");
      const answer = await using(device, () =>
        target.settle(
          device.request({ code: 1000, body: { token: device.token ?? "", time: 1 } }),
          ANSWER_MS,
        ),
      );
      expectThat(
        answer.code === 1001 && answer.body.sequence === "101",
        '1001 with sequence "101"',
        `${answer.code} ${JSON.stringify(answer.body)}`,
      );
    },
  },
  {
    clause: "5.2.2",
    title: "a retransmitted request is answered again with the same sequence",
    run: async (target) => {
      const { device } = await connected(target, "tcp");
      await using(device, async () => {
        const body = { token: device.token ?? "", time: 1 };
        const first = await target.settle(device.request({ code: 1000, body }), ANSWER_MS);
        const again = await target.settle(
          device.requestWithSequence({ code: 1000, body }, device.sequence),
          ANSWER_MS,
        );
        const result = (body: unknown) => (body as { result?: number }).result;
        expectThat(
          again.code === first.code &&
            again.body.sequence === first.body.sequence &&
            result(first.body) === 0 &&
            result(again.body) === 0,
          "the same answer again: same code, same sequence, result 0 both times",
          `${first.code} ${JSON.stringify(first.body)}, then ${again.code} ${JSON.stringify(again.body)}`,
        );
      });
    },
  },
  {
    clause: "5.2.2",
    title: "an out-of-order sequence is answered with 100001",
    run: async (target) => {
      const { device } = await connected(target, "tcp");
      const answer = await using(device, () =>
        target.settle(
          device.requestWithSequence({ code: 1000, body: { token: device.token ?? "", time: 1 } }, 5000),
          ANSWER_MS,
        ),
      );
      expectThat(
        (answer.body as { result: number }).result === 100001,
        "result 100001",
        `result ${(answer.body as { result: number }).result}`,
      );
    },
  },
  {
    clause: "5.4.3.3",
    title: "a state report is acknowledged with 2007",
    run: async (target) => {
      const { device } = await connected(target, "tcp");
      const answer = await using(device, () =>
        target.settle(
          device.request({
            code: 2006,
            body: {
              deviceId: device.deviceId,
              statusSerials: [
                { serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] },
              ],
              time: 1,
            },
          }),
          ANSWER_MS,
        ),
      );
      expectThat(
        answer.code === 2007 && (answer.body as { result: number }).result === 0,
        "2007 with result 0",
        `${answer.code} ${JSON.stringify(answer.body)}`,
      );
    },
  },
  {
    clause: "5.4.2 (3)",
    title: "a new connection of the same device (login, then connect) ends its previous connection",
    run: async (target) => {
      const { device: first } = await connected(target, "tcp");
      const second = probe(target);
      try {
        await target.settle(second.login(target.loginAddress), ANSWER_MS);
        await target.settle(second.connect("tcp"), ANSWER_MS);
        const ended = await target
          .settle(
            first.closed().then(() => true),
            ANSWER_MS,
          )
          .catch(() => false);
        expectThat(ended, "the first connection closed", "it stayed open");
      } finally {
        first.close();
        second.close();
      }
    },
  },
  {
    clause: "5.4.2.3",
    title:
      "a silent device is declared offline (connection closed) 3 heartbeat intervals + 10 s after its last message, not earlier",
    run: async (target) => {
      const { device, connect } = await connected(target, "tcp");
      const lastMessageAt = target.clock.now();
      const deadline = 3 * (connect.heartBeat ?? 30) * 1000 + 10_000;
      // Real time has network and scheduling jitter; virtual time is exact.
      const early = target.capabilities.has("virtual-time") ? 0 : 500;
      const late = target.capabilities.has("virtual-time") ? 0 : 2_000;
      const closedAt = await using(device, () =>
        target.settle(
          device.closed().then(() => target.clock.now()),
          deadline + late + 1,
        ),
      );
      const silence = closedAt - lastMessageAt;
      expectThat(
        silence >= deadline - early && silence <= deadline + late,
        `offline after ${deadline} ms of silence`,
        `offline after ${silence} ms`,
      );
    },
  },
];
