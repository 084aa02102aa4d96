import { type Clock, unixSeconds } from "../../../harness/clock/index.ts";
import { packetType, responseCodeFor } from "../../../harness/protocol/mc/packet-types.ts";
import type { McMessage } from "../../../harness/protocol/mc/schemas/index.ts";
import { sequenceAfter } from "../../../harness/protocol/mc/sequence.ts";
import type { HostileKeys } from "../../../harness/protocol/mc/testing/hostile/index.ts";
import { ScriptedDevice } from "../../device/scripted-device.ts";
import { lineOf, within } from "./live-fuzz-net.ts";
import { type LegitOutcome, type LiveFuzzReport, mb } from "./live-fuzz-report.ts";
import { FUZZ_DEVICES, type LiveTarget } from "./live-fuzz-targets.ts";

/**
 * What the live fuzz checks while it runs: the legitimate devices keep their sessions (each heartbeats on
 * demand), the API still answers, and how the platform's memory grows.
 */

/**
 * A device that must keep its session: logs in, connects, heartbeats on demand, answers the platform's requests, and
 * records its frames.
 */
export class LegitDevice {
  readonly device: ScriptedDevice;
  readonly captured: Buffer[] = [];
  readonly outcome: LegitOutcome;
  /** Set when the run closes the device itself. */
  closing = false;

  constructor(
    private readonly credentials: { deviceId: string; pin: string },
    readonly transport: "tcp" | "udp",
    private readonly clock: Clock,
  ) {
    this.device = new ScriptedDevice(credentials.deviceId, credentials.pin, clock);
    this.outcome = {
      deviceId: credentials.deviceId,
      transport,
      keptSession: true,
      lost: [],
      heartbeats: { sent: 0, answered: 0, retransmitted: 0 },
    };
    this.device.on("frame", ({ direction, message, raw }) => {
      if (direction === "out" && raw !== undefined) this.captured.push(lineOf(raw));
      if (direction === "in") this.answer(message);
    });
  }

  async start(login: string): Promise<void> {
    await within(this.clock, this.device.login(login), 5000, `${this.transport} device login`);
    await within(this.clock, this.device.connect(this.transport), 5000, `${this.transport} device connect`);
    if (this.transport === "tcp")
      void this.device.closed().then(() => {
        if (!this.closing) this.lose("its TCP connection was closed by the platform");
      });
    if (!(await this.heartbeat()))
      throw new Error(`the ${this.transport} device's first heartbeat went unanswered`);
    await within(
      this.clock,
      this.device.request({
        code: 2006,
        body: {
          deviceId: this.credentials.deviceId,
          statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "POWER", curStatusValue: "1" }] }],
          time: unixSeconds(this.clock),
        },
      }),
      5000,
      "state report",
    );
  }

  get keys(): HostileKeys {
    return {
      ...this.credentials,
      ...(this.device.token === undefined ? {} : { token: this.device.token }),
      ...(this.device.sessionKey === undefined ? {} : { sessionKey: this.device.sessionKey }),
      validBodies: false,
    };
  }

  /**
   * Answers a request of the platform (a control, a query, an order the lock API or an API client sent it) as a
   * conforming device does: a device that leaves three sends unanswered is rightly taken offline (failed sends).
   */
  private answer(message: McMessage): void {
    const type = packetType(message.code);
    if (type.sender !== "platform" || type.role !== "request") return;
    const dscp = (message.body as { dscp?: unknown }).dscp;
    try {
      this.device.respond(message, responseCodeFor(message.code), {
        deviceId: this.credentials.deviceId,
        time: unixSeconds(this.clock),
        dscp: typeof dscp === "string" ? dscp : "",
      });
    } catch (error) {
      this.lose(`could not answer ${message.code}: ${(error as Error).message}`);
    }
  }

  lose(why: string): void {
    this.outcome.keptSession = false;
    if (this.outcome.lost.length < 10) this.outcome.lost.push(why);
  }

  /** One heartbeat, retransmitted with its sequence (as 5.2 resends) when an answer is late: UDP may drop it. */
  async heartbeat(attempts = 4, deadlineMs = 1500): Promise<boolean> {
    this.device.sequence = sequenceAfter(this.device.sequence);
    const sequence = this.device.sequence;
    this.outcome.heartbeats.sent++;
    // Answers seen by nobody (duplicates, answers to replays) would pile up.
    this.device.received.length = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) this.outcome.heartbeats.retransmitted++;
      try {
        const answer = await within(
          this.clock,
          this.device.requestWithSequence(
            { code: 1000, body: { token: this.device.token, time: unixSeconds(this.clock) } },
            sequence,
          ),
          deadlineMs,
          "heartbeat",
        );
        if (answer.code === 1001 && (answer.body as { result: number }).result === 0) {
          this.outcome.heartbeats.answered++;
          return true;
        }
        this.lose(
          `heartbeat answered with ${answer.code} result ${(answer.body as { result?: number }).result}`,
        );
        return false;
      } catch {
        // Retransmit.
      }
    }
    this.lose(`heartbeat ${sequence} unanswered after ${attempts} sends`);
    return false;
  }
}

/** Records the platform's resident memory: its maximum and its latest figure. */
export function sampleRss(target: LiveTarget, report: LiveFuzzReport): void {
  const rss = mb(target.rssBytes());
  if (rss === undefined) return;
  report.rss.maxMb = Math.max(report.rss.maxMb ?? 0, rss);
  report.rss.endMb = rss;
}

/**
 * One check: a heartbeat of every legitimate device (for the third party, a C16 report), the TCP device as the API
 * shows it, memory.
 */
export async function checkPlatform(
  target: LiveTarget,
  legit: readonly { heartbeat(): Promise<boolean> }[],
  report: LiveFuzzReport,
  clock: Clock,
): Promise<void> {
  report.api.checks++;
  await Promise.all(legit.map((d) => d.heartbeat()));
  const what = "GET /api/devices/<tcp device>";
  try {
    const url = `${target.addresses.http}/api/devices/${FUZZ_DEVICES.tcp.deviceId}`;
    const response = await within(clock, fetch(url), 5000, "API");
    const shown = (await response.json()) as { online?: boolean };
    if (response.status !== 200 || shown.online !== true)
      report.api.failures.push(`${what}: ${response.status} online=${shown.online}`);
  } catch (error) {
    report.api.failures.push(`${what}: ${(error as Error).message}`);
  }
  sampleRss(target, report);
}
