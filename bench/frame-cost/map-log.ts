/**
 * Reads V8's log of hidden classes (`--log-maps --log-code`): each `map` event (V8 made a hidden class, or changed
 * one: a transition it had not cached, a dictionary-mode object, a frozen copy) between the two markers that
 * bench/frame-cost/map-window.mjs leaves in the log, with the code that ran when it happened.
 *
 * The lines it reads, as V8 11 (Node 20) writes them (a comma inside a name is written `\x2C`):
 *   map,<type>,<time µs>,<from map>,<to map>,<pc>,<line>,<column>,<reason>,<name>
 *   code-creation,<tag>,<kind>,<time µs>,<start>,<size>,<name>[,<function info>,<state>]
 *   code-move,<from start>,<to start>
 * `pc` is in the code of the topmost JavaScript frame (an interpreted function's bytecode, or its compiled code), 0
 * when no JavaScript ran (V8 or Node's C++ alone); `line` and `column` (from 1) are that frame's place in its source.
 */

/** The property name of the marker object map-window.mjs makes when the window opens, and when it closes. */
export const WINDOW_OPEN = "hilfarm-map-window-open";
export const WINDOW_CLOSE = "hilfarm-map-window-close";

/** A place map events happened: the event's kind, the code that ran and its place in the source. */
export interface MapSite {
  /** `<type>` of the event, and `: <reason>` when V8 gave one (`Transition: CopyForPreventExtensions`). */
  kind: string;
  /** The code's name as V8 logged it (`openSession file:///…/session.ts:12:3`), or why there is none. */
  code: string;
  line: number;
  column: number;
  /** The name V8 gave with the site's first event: the property added, or empty. */
  name: string;
  count: number;
}

export interface MapWindow {
  opened: boolean;
  closed: boolean;
  /** Map events inside the window. */
  events: number;
  /** By site, most events first. */
  sites: MapSite[];
}

export const NO_JAVASCRIPT = "(no JavaScript frame: V8 or Node's own C++)";
export const UNKNOWN_CODE = "(code not in the log)";

/** Code ranges by start address, kept sorted: code is made, moved, and its space reused. */
class CodeRanges {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly names: string[] = [];

  /** The index of the first range starting at or after `address`. */
  private firstFrom(address: number): number {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.starts[middle] as number) < address) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  add(start: number, size: number, name: string): void {
    const end = start + Math.max(1, size);
    // Whatever the new code overlaps is gone: its space was collected and reused.
    let at = this.firstFrom(start);
    if (at > 0 && (this.ends[at - 1] as number) > start) at--;
    let past = at;
    while (past < this.starts.length && (this.starts[past] as number) < end) past++;
    this.starts.splice(at, past - at, start);
    this.ends.splice(at, past - at, end);
    this.names.splice(at, past - at, name);
  }

  move(from: number, to: number): void {
    const at = this.firstFrom(from);
    if (this.starts[at] !== from) return;
    const size = (this.ends[at] as number) - from;
    const [name] = this.names.splice(at, 1);
    this.starts.splice(at, 1);
    this.ends.splice(at, 1);
    this.add(to, size, name as string);
  }

  nameAt(address: number): string | undefined {
    const at = this.firstFrom(address + 1) - 1;
    if (at < 0 || (this.ends[at] as number) <= address) return undefined;
    return this.names[at];
  }
}

const address = (hex: string | undefined): number => Number.parseInt(hex ?? "", 16);
const unescapeName = (text: string): string =>
  text.replace(/\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})/g, (_, byte?: string, unit?: string) =>
    String.fromCharCode(Number.parseInt((byte ?? unit) as string, 16)),
  );

/** Reads one process's log a line at a time (a log of a busy minute is hundreds of megabytes). */
export class MapLogReader {
  private readonly code = new CodeRanges();
  private readonly sites = new Map<string, MapSite>();
  private opened = false;
  private closed = false;
  private events = 0;

  read(line: string): void {
    if (this.closed) return;
    if (line.startsWith("code-creation,")) {
      const fields = line.split(",");
      this.code.add(address(fields[4]), Number(fields[5]), unescapeName(fields[6] ?? ""));
    } else if (line.startsWith("code-move,")) {
      const fields = line.split(",");
      this.code.move(address(fields[1]), address(fields[2]));
    } else if (line.startsWith("map,")) this.mapEvent(line);
  }

  private mapEvent(line: string): void {
    const [, type, , , , pcText, lineText, columnText, reason = "", ...rest] = line.split(",");
    const name = unescapeName(rest.join(","));
    if (name === WINDOW_OPEN) this.opened = true;
    else if (name === WINDOW_CLOSE) this.closed = this.opened;
    if (!this.opened || name === WINDOW_OPEN || name === WINDOW_CLOSE) return;
    this.events++;
    const pc = address(pcText);
    const site = {
      kind: reason === "" ? (type as string) : `${type}: ${reason}`,
      code: pc === 0 || Number.isNaN(pc) ? NO_JAVASCRIPT : (this.code.nameAt(pc) ?? UNKNOWN_CODE),
      line: Number(lineText),
      column: Number(columnText),
    };
    const key = `${site.kind}\0${site.code}\0${site.line}\0${site.column}`;
    const known = this.sites.get(key);
    if (known === undefined) this.sites.set(key, { ...site, name, count: 1 });
    else known.count++;
  }

  /** The window as read so far: the map events between the markers, by site. */
  get window(): MapWindow {
    const sites = [...this.sites.values()].sort((a, b) => b.count - a.count);
    return { opened: this.opened, closed: this.closed, events: this.events, sites };
  }
}

/** The map events of one process's log between the window's markers, by site. */
export function readMapLog(lines: Iterable<string>): MapWindow {
  const reader = new MapLogReader();
  for (const line of lines) reader.read(line);
  return reader.window;
}

/**
 * A code name of V8's log as a function and its script (`send file:///…/x.ts:12:3` → `send`, `file:///…/x.ts`); a
 * name with no script (a builtin, a stub) has none.
 */
export function codeFunction(code: string): { name: string; url: string | undefined } {
  const parts = /^(?<name>.*?) ?(?<url>\S+):\d+:\d+$/.exec(code)?.groups;
  if (parts === undefined || !/^(file|node):|^\//.test(parts.url as string))
    return { name: code, url: undefined };
  return { name: parts.name as string, url: parts.url as string };
}
