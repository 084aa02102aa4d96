import type { CarrierLink } from "./carrier-link.ts";
import { withoutCrlf } from "./carrier-link.ts";

/**
 * Two carrier links joined in memory, like the two ends of a null-modem cable: for tests of anything that speaks
 * over a serial or MQTT link. `unplug()` and `plug()` take the carrier away from both ends and bring it back.
 */
export function memoryCarrierPair(): { a: CarrierLink; b: CarrierLink; unplug(): void; plug(): void } {
  let up = true;
  const ends = [0, 1].map((side) => ({
    lines: [] as Array<(line: Buffer) => void>,
    downs: [] as Array<(reason: string) => void>,
    ups: [] as Array<() => void>,
    side,
  }));
  const make = (self: (typeof ends)[number], other: (typeof ends)[number]): CarrierLink => ({
    description: `memory ${self.side === 0 ? "a" : "b"}`,
    get up() {
      return up;
    },
    send: (frame) => {
      if (!up) return;
      const line = withoutCrlf(frame);
      queueMicrotask(() => {
        if (up) for (const listener of other.lines) listener(line);
      });
    },
    onLine: (listener) => self.lines.push(listener),
    onDown: (listener) => self.downs.push(listener),
    onUp: (listener) => self.ups.push(listener),
    close: async () => undefined,
  });
  const [end0, end1] = ends as [(typeof ends)[number], (typeof ends)[number]];
  return {
    a: make(end0, end1),
    b: make(end1, end0),
    unplug: () => {
      if (!up) return;
      up = false;
      for (const end of ends) for (const listener of end.downs) listener("unplugged");
    },
    plug: () => {
      if (up) return;
      up = true;
      for (const end of ends) for (const listener of end.ups) listener();
    },
  };
}
