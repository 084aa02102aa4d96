import { ScriptedDevice } from "../../emulators/device/scripted-device.ts";
import type { BodyOf, McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import { ClauseFailure, expectThat, NotApplicable } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import type { Wait } from "./real-time.ts";
import { apiRequest, canBind, type HttpAnswer, isLoopback, splitHostPort } from "./wire.ts";

/** What the hostile-input suite is told about the target's surroundings (`hostileClauses(options)`). */
export interface HostileOptions {
  /** Connections a flood holds, split between the login port and the TCP connection port (H3). */
  flood: number;
  /** Source address of the flood; 127.0.0.1 for a platform on loopback. */
  floodFrom?: string;
  /** Source address of the login that must keep working during a flood; 127.0.0.2 for a platform on loopback. */
  loginFrom?: string;
  /** How often a captured 1002 is replayed while its device is connected (H2.1). */
  replays?: number;
}

export const ANSWER_MS = 10_000;

/** A scripted device playing the registry's `n`-th device; its frames go to the target's evidence. */
export const probe = (target: PlatformTarget, n = 0) => {
  const device = target.devices[n % target.devices.length];
  if (device === undefined) throw new Error("no test device");
  const scripted = new ScriptedDevice(device.deviceId, device.pin, target.clock);
  target.evidence?.recordDevice(scripted);
  return scripted;
};

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The raw frames a device sent, by code, captured as an attacker on the wire would. */
function capture(device: ScriptedDevice): Map<number, Uint8Array[]> {
  const sent = new Map<number, Uint8Array[]>();
  device.on("frame", ({ direction, message, raw }) => {
    if (direction !== "out" || raw === undefined) return;
    sent.set(message.code, [...(sent.get(message.code) ?? []), raw]);
  });
  return sent;
}

export const captured = (sent: Map<number, Uint8Array[]>, code: number, index = 0): Buffer => {
  const raw = sent.get(code)?.[index];
  if (raw === undefined) throw new Error(`no ${code} captured`);
  return Buffer.from(raw);
};

/** A device logged in and connected (login port, then the connection server the 1003 names). */
export async function connected(
  target: PlatformTarget,
  transport: "tcp" | "udp",
  options: { n?: number; from?: string } = {},
): Promise<{ device: ScriptedDevice; connect: BodyOf<1005>; sent: Map<number, Uint8Array[]> }> {
  const device = probe(target, options.n);
  const sent = capture(device);
  const from = options.from === undefined ? {} : { from: options.from };
  try {
    await target.settle(device.login(target.loginAddress, from), ANSWER_MS);
    const connect = await target.settle(device.connect(transport, from), ANSWER_MS);
    return { device, connect, sent };
  } catch (error) {
    device.close();
    throw new ClauseFailure(
      `expected ${device.deviceId} to log in and connect over ${transport} (before the hostile input); saw ${messageOf(error)}`,
    );
  }
}

/** Whether the platform has closed the device's connection (TCP; a UDP link only closes on our side). */
export function watchClose(device: ScriptedDevice): () => boolean {
  let closed = false;
  void device.closed().then(() => {
    closed = true;
  });
  return () => closed;
}

/**
 * Sends a heartbeat and fails the clause, saying `when`, unless it is answered with 1001, result 0. `isClosed` says
 * whether the platform closed the device's connection, for the failure's detail.
 */
export async function heartbeatAnswered(
  target: PlatformTarget,
  device: ScriptedDevice,
  when: string,
  isClosed: () => boolean = () => false,
  wait: Wait = (promise, maxMs) => target.settle(promise, maxMs),
): Promise<void> {
  let answer: McMessage;
  // A closed connection answers nothing: say so at once instead of waiting out the deadline.
  const gone = device.closed().then(() => {
    throw new Error("its connection closed");
  });
  gone.catch(() => undefined);
  try {
    answer = await wait(
      Promise.race([device.request({ code: 1000, body: { token: device.token ?? "", time: 1 } }), gone]),
      ANSWER_MS,
    );
  } catch (error) {
    const seen = isClosed() ? "its connection closed by the platform" : messageOf(error);
    throw new ClauseFailure(`expected the live device's heartbeat answered ${when}; saw ${seen}`);
  }
  const result = (answer.body as { result?: number }).result;
  expectThat(
    answer.code === 1001 && result === 0,
    `the live device's heartbeat answered (1001, result 0) ${when}`,
    `${answer.code}, result ${result}`,
  );
}

/** Runs `body`, then closes the device however `body` ended. */
export async function closing(device: ScriptedDevice, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    device.close();
  }
}

export const stillOpen = (isClosed: () => boolean, when: string) =>
  expectThat(!isClosed(), `the live device's connection still open ${when}`, "the platform closed it");

/** A state report (2006) of POWER=`value` from the device, answered within ANSWER_MS of the target's time. */
export const reportPower = (target: PlatformTarget, device: ScriptedDevice, value: string) =>
  target.settle(
    device.request({
      code: 2006,
      body: {
        deviceId: device.deviceId,
        statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: value }] }],
        time: 1,
      },
    }),
    ANSWER_MS,
  );

/** Source addresses for a flood and for the login that must still work; n/a when this machine cannot tell them apart. */
export async function sourceAddresses(
  target: PlatformTarget,
  options: HostileOptions,
): Promise<{ floodFrom?: string; loginFrom: string }> {
  const { host } = splitHostPort(target.loginAddress);
  const loopback = isLoopback(host) && !host.includes(":");
  const floodFrom = options.floodFrom ?? (loopback ? "127.0.0.1" : undefined);
  const loginFrom = options.loginFrom ?? (loopback ? "127.0.0.2" : undefined);
  if (loginFrom === undefined)
    throw new NotApplicable(
      `the platform at ${target.loginAddress} is not on this machine's loopback: give two source addresses of this machine, one to flood from and one to log in from (--flood-from, --login-from)`,
    );
  if (!(await canBind(loginFrom)))
    throw new NotApplicable(
      `this machine cannot send from ${loginFrom}, the address the login must come from`,
    );
  return { ...(floodFrom === undefined ? {} : { floodFrom }), loginFrom };
}

/** The API of the target, or n/a naming what is missing. */
export function api(target: PlatformTarget) {
  const base = target.apiUrl;
  if (base === undefined)
    throw new NotApplicable(
      `${target.description} has no API URL to check (give --api http://host:port, or ?api= in the target)`,
    );
  const token = target.apiToken === undefined ? {} : { token: target.apiToken };
  return {
    base,
    request: (path: string, options: Parameters<typeof apiRequest>[1] = {}) =>
      apiRequest(`${base}${path}`, { ...token, ...options }),
  };
}

export const shown = (answer: HttpAnswer) => `${answer.status} ${answer.text.slice(0, 200)}`;
