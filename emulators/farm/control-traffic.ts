import { performance } from "node:perf_hooks";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import type { Random } from "../../harness/random/random.ts";
import type { PlannedDevice } from "../fleet/fleet-plan.ts";
import { apiAuthorization } from "./api-auth.ts";
import { LatencyHistograms } from "./latency-histograms.ts";

/** At most this many controls wait for an answer at once; more are counted as skipped, not queued. */
const MAX_IN_FLIGHT = 200;

export interface ControlTrafficOptions {
  /** The northbound API of the platform that serves a device, e.g. `http://127.0.0.1:8780`. */
  apiUrlOf: (deviceId: string) => string;
  perSecond: number;
  /** Devices that take controls: those whose profile has a command. */
  devices: PlannedDevice[];
  clock: Clock;
  random: Random;
  /** Devices currently served by a live worker. */
  isLive: (deviceId: string) => boolean;
  countError: (kind: string) => void;
}

/**
 * Controls through the platform's northbound API (`POST /api/devices/:id/control`) at a steady rate, each timed from
 * request to the platform's answer (which waits for the device's 2004).
 */
export class ControlTraffic {
  readonly latencies = new LatencyHistograms();
  readonly steadyLatencies = new LatencyHistograms();
  private steady = false;
  sent = 0;
  private inFlight = 0;
  private timer: Timer | undefined;
  private readonly targets: Array<{ deviceId: string; cmdName: string; values: string[] }>;

  constructor(private readonly options: ControlTrafficOptions) {
    this.targets = options.devices.flatMap((d) => {
      const commands = Object.entries(d.profile.commands ?? {});
      const first = commands[0];
      if (first === undefined) return [];
      const [cmdName, command] = first;
      const values = (command as { values?: string[] }).values ?? ["1"];
      return [{ deviceId: d.deviceId, cmdName, values }];
    });
  }

  get targetCount(): number {
    return this.targets.length;
  }

  beginSteady(): void {
    this.steady = true;
  }

  start(): void {
    if (this.options.perSecond <= 0 || this.targets.length === 0) return;
    let credit = 0;
    this.timer = this.options.clock.setInterval(
      () => {
        credit += this.options.perSecond / 10;
        while (credit >= 1) {
          credit--;
          this.sendOne();
        }
      },
      100,
      "controls",
    );
  }

  stop(): void {
    this.timer?.cancel();
  }

  private sendOne(): void {
    const target = this.targets[this.options.random.int(0, this.targets.length - 1)];
    if (target === undefined || !this.options.isLive(target.deviceId)) return;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.options.countError("control-skipped-busy");
      return;
    }
    const value = target.values[this.options.random.int(0, target.values.length - 1)] ?? "1";
    this.inFlight++;
    this.sent++;
    const started = performance.now();
    fetch(
      `${this.options.apiUrlOf(target.deviceId)}/api/devices/${encodeURIComponent(target.deviceId)}/control`,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...apiAuthorization() },
        body: JSON.stringify({ cmd: [{ cmdName: target.cmdName, cmdParam: value }] }),
        signal: AbortSignal.timeout(30_000),
      },
    )
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) {
          const ms = performance.now() - started;
          this.latencies.record("control", ms);
          if (this.steady) this.steadyLatencies.record("control", ms);
        } else this.options.countError(`control-http-${response.status}`);
      })
      .catch(() => this.options.countError("control-network"))
      .finally(() => {
        this.inFlight--;
      });
  }
}
