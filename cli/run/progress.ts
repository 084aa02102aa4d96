import type { Writable } from "node:stream";

/**
 * Progress of a long run: a live line per suite (tests done/total, devices online, elapsed) rewritten in place
 * when the output is a terminal; plain lines, one per finished suite, otherwise (CI logs).
 */
export class Progress {
  private readonly started = performance.now();
  private live = false;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly tty: boolean = out.isTTY === true,
  ) {}

  private elapsed(): string {
    return `${((performance.now() - this.started) / 1000).toFixed(1)} s`;
  }

  update(suite: string, done: number, total: number, failed: number, peakOnline: number): void {
    if (!this.tty) return;
    const line = `${suite}: ${done}/${total} tests${failed > 0 ? `, ${failed} failed` : ""}, up to ${peakOnline} devices online, ${this.elapsed()}`;
    this.out.write(`\r\u001b[2K${line}`);
    this.live = true;
  }

  suiteDone(
    suite: string,
    passed: number,
    failed: number,
    notApplicable: number,
    notRun: number,
    peakOnline: number,
  ): void {
    const line = `${suite}: ${passed} passed, ${failed} failed${notApplicable > 0 ? `, ${notApplicable} not applicable` : ""}${notRun > 0 ? `, ${notRun} not run` : ""}, peak ${peakOnline} devices online, ${this.elapsed()}`;
    this.out.write(`${this.live ? "\r\u001b[2K" : ""}${line}\n`);
    this.live = false;
  }

  line(text: string): void {
    this.out.write(`${this.live ? "\r\u001b[2K" : ""}${text}\n`);
    this.live = false;
  }
}
