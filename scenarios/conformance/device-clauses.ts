import { loadProfiles } from "../../emulators/profiles/load.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import type { DeviceTarget, LoggedFrame } from "../target/device-target.ts";
import { type ClauseCheck, expectThat, NotApplicable } from "./clause.ts";

/**
 * The device-under-test suite: what a device must do, seen from the platform it connects to. It runs against an
 * emulated device (virtual time) or a real one on the bench (real time) unchanged; run the clauses in order.
 */
const TEN_S = 10_000;
/** How long to wait for a device to log in after the suite starts (a lab switches it on). */
export const WAIT_FOR_DEVICE_MS = 300_000;

/** The index of the first frame from `from` on that matches, waiting for it if need be. */
function frameAfter(
  target: DeviceTarget,
  from: number,
  match: (f: LoggedFrame) => boolean,
  maxMs: number,
): Promise<number> {
  const find = () => target.frames.findIndex((f, i) => i >= from && match(f));
  const found = find();
  if (found >= 0) return Promise.resolve(found);
  return target.settle(
    new Promise<number>((resolve) => {
      const check = () => {
        const i = find();
        if (i < 0) return;
        target.platform.events.off("frame", check);
        target.platform.events.off("login", check);
        resolve(i);
      };
      target.platform.events.on("frame", check);
      target.platform.events.on("login", check);
    }),
    maxMs,
  );
}

const is = (direction: "in" | "out", code: number) => (f: LoggedFrame) =>
  f.direction === direction && f.message.code === code;
const sequenceOf = (m: McMessage) => (m.body as { sequence?: string }).sequence;
const atOf = (target: DeviceTarget, i: number) => target.frames[i]?.at ?? Number.NaN;
const tolerance = (target: DeviceTarget) => (target.capabilities.has("virtual-time") ? 0 : 1_000);

/** Waits until the device is connected again (a 1005 after `from`). */
const reconnected = (target: DeviceTarget, from: number) =>
  frameAfter(target, from, is("out", 1005), 15 * 60_000);

/** A command the device's model accepts, from the shipped profiles, and the status value it must lead to. */
async function controlFor(
  model: string | undefined,
): Promise<{ serialId: string; cmdName: string; cmdParam: string; status: string; expected: string }> {
  const profile = [...(await loadProfiles()).values()].find((p) => p.model === model);
  if (profile === undefined) throw new NotApplicable(`no profile known for model ${JSON.stringify(model)}`);
  for (const [cmdName, command] of Object.entries(profile.commands)) {
    const serialId =
      Object.keys(profile.serials).find((s) => command.status in (profile.serials[s] ?? {})) ?? "0";
    const current = profile.serials[serialId]?.[command.status];
    // A command that changes the status from its initial value, so the report shows it took effect.
    const cmdParam =
      command.value !== undefined
        ? ""
        : (command.values?.find((v) => v !== current) ??
          (command.min === undefined ? undefined : String(command.min)));
    const expected = command.value ?? cmdParam;
    if (cmdParam !== undefined && expected !== undefined && expected !== current) {
      return { serialId, cmdName, cmdParam, status: command.status, expected };
    }
  }
  throw new NotApplicable(`no command of model ${JSON.stringify(model)} changes a status`);
}

export const deviceClauses: readonly ClauseCheck<DeviceTarget>[] = [
  {
    clause: "5.4.2.1",
    title: "the device logs in with a 1002 whose clear and encrypted device ids agree",
    run: async (target) => {
      target.start();
      await frameAfter(target, 0, is("in", 1002), WAIT_FOR_DEVICE_MS);
    },
  },
  {
    clause: "5.4.2.2",
    title: "the device connects with the token of its login, and is answered with 1005",
    run: async (target) => {
      await frameAfter(target, 0, is("out", 1005), TEN_S * 3);
    },
  },
  {
    clause: "5.4.2.2",
    title: "the device reports its full state right after connecting",
    run: async (target) => {
      const connected = await frameAfter(target, 0, is("out", 1005), TEN_S);
      const report = await frameAfter(target, connected, is("in", 2006), TEN_S);
      expectThat(
        atOf(target, report) - atOf(target, connected) <= TEN_S,
        "a 2006 within 10 s of the 1005",
        `${atOf(target, report) - atOf(target, connected)} ms`,
      );
    },
  },
  {
    clause: "5.4.3.14",
    title: "the device reports its version (2022) after connecting",
    run: async (target) => {
      const connected = await frameAfter(target, 0, is("out", 1005), TEN_S);
      await frameAfter(target, connected, is("in", 2022), TEN_S);
    },
  },
  {
    clause: "5.4.2.3",
    title: "the device heartbeats at the interval the platform set in 1005",
    run: async (target) => {
      const interval =
        (target.frames.find(is("out", 1005))?.message.body as { heartBeat?: number } | undefined)
          ?.heartBeat ?? 30;
      const from = target.frames.length;
      const first = await frameAfter(target, from, is("in", 1000), interval * 1000 + TEN_S);
      const second = await frameAfter(target, first + 1, is("in", 1000), interval * 1000 + TEN_S);
      const gap = atOf(target, second) - atOf(target, first);
      expectThat(
        Math.abs(gap - interval * 1000) <= tolerance(target),
        `heartbeats ${interval * 1000} ms apart`,
        `${gap} ms`,
      );
    },
  },
  {
    clause: "5.4.3.1",
    title: "a query is answered (2002) and the state is reported within 10 s",
    run: async (target) => {
      const result = await target.settle(target.platform.operations.query(target.device.deviceId), TEN_S * 4);
      expectThat(
        result.result === 0 && result.state !== null,
        "result 0 and a state report within 10 s",
        JSON.stringify(result),
      );
    },
  },
  {
    clause: "5.4.3.2",
    title: "a control is answered (2004) and the new state is reported within 10 s",
    run: async (target) => {
      const { serialId, cmdName, cmdParam, status, expected } = await controlFor(target.device.model);
      const result = await target.settle(
        target.platform.operations.control(target.device.deviceId, {
          serialId,
          cmd: [{ cmdName, cmdParam }],
        }),
        TEN_S * 4,
      );
      const reported = result.state?.[serialId]?.[status];
      expectThat(
        result.result === 0 && reported === expected,
        `result 0 and ${status} = ${expected} reported within 10 s`,
        JSON.stringify(result),
      );
    },
  },
  {
    clause: "5.2.2",
    title:
      "a retransmitted platform request is answered again with the same sequence, without being carried out again",
    run: async (target) => {
      await target.settle(target.platform.operations.query(target.device.deviceId), TEN_S * 4);
      const answered = target.frames.findLastIndex(is("in", 2002));
      const sequence = sequenceOf(target.frames[answered]?.message as McMessage);
      target.platform.sessionOf(target.device.deviceId)?.retransmitLastRequest();
      const again = await frameAfter(
        target,
        answered + 1,
        (f) => f.direction === "in" && f.message.code === 2002 && sequenceOf(f.message) === sequence,
        TEN_S,
      );
      expectThat(again > answered, `a second 2002 with sequence ${sequence}`, "none");
      // Answered from the stored answer, not carried out again: a second run of the query would report again.
      const reportedAgain = await frameAfter(target, again + 1, is("in", 2006), TEN_S).then(
        () => true,
        () => false,
      );
      expectThat(!reportedAgain, "no new state report for the retransmission", "a second 2006 within 10 s");
    },
  },
  {
    clause: "5.2",
    title:
      "an unanswered request is resent after 10 s with the same sequence, and after 3 failed sends the device logs in again",
    needs: ["platform-internals"],
    run: async (target) => {
      const interval =
        (target.frames.find(is("out", 1005))?.message.body as { heartBeat?: number } | undefined)
          ?.heartBeat ?? 30;
      target.withheld.add(1000);
      try {
        const first = await frameAfter(target, target.frames.length, is("in", 1000), interval * 1000 + TEN_S);
        const sequence = sequenceOf(target.frames[first]?.message as McMessage);
        const same = (f: LoggedFrame) => is("in", 1000)(f) && sequenceOf(f.message) === sequence;
        const second = await frameAfter(target, first + 1, same, TEN_S * 2);
        const third = await frameAfter(target, second + 1, same, TEN_S * 2);
        const gaps = [atOf(target, second) - atOf(target, first), atOf(target, third) - atOf(target, second)];
        expectThat(
          gaps.every((g) => Math.abs(g - TEN_S) <= tolerance(target)),
          "resends 10 s apart with the same sequence",
          `gaps of ${gaps.join(", ")} ms`,
        );
        const login = await frameAfter(target, third + 1, is("in", 1002), TEN_S * 2);
        const wait = atOf(target, login) - atOf(target, third);
        target.withheld.delete(1000);
        expectThat(
          Math.abs(wait - TEN_S) <= tolerance(target),
          "a new login 10 s after the third send",
          `${wait} ms`,
        );
        await reconnected(target, login);
      } finally {
        target.withheld.delete(1000);
      }
    },
  },
  {
    clause: "5.2.2",
    title: "a device that sees the platform's sequence out of order logs in again",
    needs: ["platform-internals"],
    run: async (target) => {
      await reconnected(target, 0);
      // A first request sets the sequence the device expects next; the second then skips ahead of it.
      await target.settle(target.platform.operations.query(target.device.deviceId), TEN_S * 4);
      const from = target.frames.length;
      target.platform.sessionOf(target.device.deviceId)?.skipSequences(5);
      void target.platform.operations.query(target.device.deviceId).catch(() => undefined);
      await frameAfter(target, from, is("in", 1002), TEN_S * 2);
      await reconnected(target, from);
    },
  },
];
