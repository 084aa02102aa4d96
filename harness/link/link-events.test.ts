import { afterEach, describe, expect, it, vi } from "vitest";
import { LinkEvents, withListener } from "./link-events.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const link = () => ({
  closed: 0,
  close() {
    this.closed++;
  },
});

describe("a link's listeners", () => {
  it("one listener is held as it is; more are an array of the exact length, in the order added", () => {
    const a = () => undefined;
    const b = () => undefined;
    const c = () => undefined;
    expect(withListener(undefined, a)).toBe(a);
    expect(withListener(a, b)).toEqual([a, b]);
    const three = withListener(withListener(a, b), c);
    expect(three).toEqual([a, b, c]);
    expect((three as unknown[]).length).toBe(3);
  });

  it("delivers each line to every listener in order, whether one or several", () => {
    const events = new LinkEvents();
    const heard: string[] = [];
    events.addLine((line) => heard.push(`a:${line}`));
    events.deliver(events.line, Buffer.from("1"), link());
    events.addLine((line) => heard.push(`b:${line}`));
    events.deliver(events.line, Buffer.from("2"), link());
    expect(heard).toEqual(["a:1", "a:2", "b:2"]);
  });

  it("a listener added while a line is delivered hears the next line, not that one", () => {
    const events = new LinkEvents();
    const heard: string[] = [];
    events.addLine((line) => {
      heard.push(`a:${line}`);
      if (heard.length === 1) events.addLine((next) => heard.push(`late:${next}`));
    });
    events.deliver(events.line, Buffer.from("1"), link());
    events.deliver(events.line, Buffer.from("2"), link());
    expect(heard).toEqual(["a:1", "a:2", "late:2"]);
  });

  it("a listener that throws drops the link, warns, and the listeners after it do not hear that line", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const events = new LinkEvents();
    const heard: string[] = [];
    events.addLine(() => {
      throw new Error("listener fault");
    });
    events.addLine((line) => heard.push(String(line)));
    const dropped = link();
    events.deliver(events.line, Buffer.from("1"), dropped);
    expect(dropped.closed).toBe(1);
    expect(heard).toEqual([]);
    expect(warn).toHaveBeenCalledWith("hilfarm link listener failed, link dropped: listener fault");
    const alone = new LinkEvents();
    alone.addBad(() => {
      throw new Error("alone");
    });
    const droppedAlone = link();
    alone.deliver(alone.bad, undefined as never, droppedAlone);
    expect(droppedAlone.closed).toBe(1);
  });

  it("tells a close once, and a listener added after the close at once (on the next turn)", async () => {
    const events = new LinkEvents();
    let closes = 0;
    events.addClose(() => closes++);
    events.fireClose();
    events.fireClose();
    expect(closes).toBe(1);
    events.addClose(() => closes++);
    expect(closes).toBe(1);
    await Promise.resolve();
    expect(closes).toBe(2);
  });

  it("with no listener, a delivery does nothing", () => {
    const events = new LinkEvents();
    const dropped = link();
    events.deliver(events.line, Buffer.from("1"), dropped);
    events.fireClose();
    expect(dropped.closed).toBe(0);
  });
});
