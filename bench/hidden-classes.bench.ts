/**
 * Hidden classes V8 makes per login, hilfarm's device side and platform beside the bare floor's (issue 19: an object
 * that takes a class of its own costs memory the collector marks, and meets the compiled code's inline caches as a
 * shape they have not seen). The traffic of bench:login-alloc: BENCH_MAPS_DEVICES (default 4,000) devices powered on
 * at 1,000 a second and heartbeating every BENCH_MAPS_HEARTBEAT_S (default 30 s), then BENCH_MAPS_CHURN of them
 * (default 150) power-cycled a second, each cycle a login. Every measured process runs with V8's map log
 * (`--log-maps --log-code`), and bench/frame-cost/map-window.mjs marks in it a window of BENCH_MAPS_SECONDS (default
 * 20) opened and closed by a signal at the moments the logins are counted. With BENCH_MAPS_CHURN=0 the window counts
 * the steady heartbeat round trips instead, and the events are per round trip:
 *   (b) the bare floor: bench/frame-cost/bare-login.mjs's server and client;
 *   (c) hilfarm: `hilfarm load` (one worker) with the reference platform as a process;
 *   and, with BENCH_MAPS_AGAINST=<another checkout>, that checkout's hilfarm the same way.
 * bench/frame-cost/map-log.ts reads the map events between the marks, each with the code on top of the JavaScript
 * stack. In a steady run the objects of a login (or a round trip) take classes already made: every event per login is
 * a class made again for each login. With BENCH_MAPS_LOGS=<directory> the logs are kept there (`node --prof-process`
 * reads them).
 *   npm run bench:maps
 * Loopback only, bounded. Writes the `Hidden classes per login` section of docs/benchmarks.md, or without churn the
 * `Hidden classes per heartbeat round trip` section.
 */
import { createReadStream } from "node:fs";
import { copyFile, mkdir, mkdtemp, open, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { sourceFunctionNamer } from "./frame-cost/allocation-sites.ts";
import { wait } from "./frame-cost/child-processes.ts";
import {
  bareLoginWindow,
  countedUnit,
  hilfarmLoginWindow,
  type LoginWindow,
  loginTrafficSettings,
  type MeasuredProcess,
  sideRows,
} from "./frame-cost/login-window.ts";
import {
  codeFunction,
  MapLogReader,
  type MapSite,
  type MapWindow,
  WINDOW_CLOSE,
} from "./frame-cost/map-log.ts";
import { machineDescription } from "./made-by.ts";

const { traffic, against: AGAINST } = loginTrafficSettings("BENCH_MAPS", 0);
const { devices: DEVICES, churnPerSecond: CHURN, seconds: SECONDS, heartbeatS: HEARTBEAT_S } = traffic;
/** What the window counts and the events are divided by: a login, or a heartbeat round trip without churn. */
const UNIT = countedUnit(traffic);
/** A directory to keep the logs in (<side>-<role>.v8.log), or undefined. */
const KEEP = process.env.BENCH_MAPS_LOGS;
const TOP = 12;

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = join(root, "bench/frame-cost/map-window.mjs");

/** Node flags of every measured process: the marker, and V8's map log of each process to `dir`/v8-<pid>.log. */
const loggedFlags = (dir: string) => [
  "--import",
  marker,
  "--log-maps",
  "--log-code",
  "--no-logfile-per-isolate",
  `--logfile=${join(dir, "v8-%p.log")}`,
];

/** Marks the window's edge in each process's log: map-window.mjs makes its marker on each SIGUSR2. */
const mark = (measured: readonly MeasuredProcess[]) => {
  for (const { pid } of measured) process.kill(pid, "SIGUSR2");
};

/**
 * Resolves once V8 has logged the closing mark in `file`: the process runs its SIGUSR2 handler on a later turn of its
 * loop, and stopping it before that would cut the window short. Reads on from where it left off, every 100 ms.
 */
async function untilMarked(file: string): Promise<void> {
  const mark = Buffer.from(`,${WINDOW_CLOSE}`);
  const handle = await open(file, "r");
  try {
    let from = 0;
    for (let tries = 0; tries < 300; tries++) {
      const { size } = await handle.stat();
      const chunk = Buffer.alloc(size - from);
      await handle.read(chunk, 0, chunk.length, from);
      if (chunk.includes(mark)) return;
      from = Math.max(from, size - mark.length);
      await wait(100);
    }
  } finally {
    await handle.close();
  }
  throw new Error(`no closing mark in the map log ${file} within 30 s`);
}

const marking = (dir: string) => ({
  open: mark,
  close: mark,
  collect: async (measured: readonly MeasuredProcess[]) => {
    await Promise.all(measured.map(({ pid }) => untilMarked(join(dir, `v8-${pid}.log`))));
  },
});

interface Read {
  /** Logins or heartbeat round trips (UNIT) in the window. */
  counted: number;
  /** Each measured process's window by its role. */
  windows: Map<string, MapWindow>;
}

/** Reads each measured process's log once the processes have stopped. */
async function readLogs(dir: string, window: LoginWindow<void>, side: string): Promise<Read> {
  const windows = new Map<string, MapWindow>();
  for (const { pid, role } of window.measured) {
    const file = join(dir, `v8-${pid}.log`);
    const reader = new MapLogReader();
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity }))
      reader.read(line);
    const read = reader.window;
    if (!read.closed)
      throw new Error(
        `${side}: the ${role} process's map log ${file} has no ${read.opened ? "closing" : "opening"} mark`,
      );
    windows.set(role, read);
    if (KEEP !== undefined) await copyFile(file, join(KEEP, `${side}-${role}.v8.log`));
  }
  if (window.counted <= 0) throw new Error(`${side}: no ${UNIT}s in the window`);
  console.info(`${side}: ${window.counted} ${UNIT}s in the window`);
  return { counted: window.counted, windows };
}

const command = [
  `BENCH_MAPS_DEVICES=${DEVICES} BENCH_MAPS_CHURN=${CHURN} BENCH_MAPS_SECONDS=${SECONDS}`,
  ...(HEARTBEAT_S === 30 ? [] : [`BENCH_MAPS_HEARTBEAT_S=${HEARTBEAT_S}`]),
  ...(AGAINST === undefined ? [] : ["BENCH_MAPS_AGAINST=<another checkout>"]),
  "npm run bench:maps",
].join(" ");
console.info(`bench:maps: ${command}`);
if (KEEP !== undefined) await mkdir(KEEP, { recursive: true });
const work = await mkdtemp(join(tmpdir(), "hilfarm-bench-maps-"));
try {
  const side = async (name: string, measure: (dir: string) => Promise<LoginWindow<void>>) => {
    const dir = join(work, name);
    await mkdir(dir);
    const read = await readLogs(dir, await measure(dir), name);
    // Each process's log is read, and removed before the next side starts: a busy minute's log is large.
    for (const file of await readdir(dir)) if (file.endsWith(".log")) await rm(join(dir, file));
    return read;
  };
  const bare = await side("bare", (dir) => bareLoginWindow(root, traffic, loggedFlags(dir), marking(dir)));
  const ours = await side("hilfarm", (dir) =>
    hilfarmLoginWindow(root, dir, traffic, loggedFlags(dir), marking(dir)),
  );
  const against =
    AGAINST === undefined
      ? undefined
      : await side("against", (dir) =>
          hilfarmLoginWindow(AGAINST, dir, traffic, loggedFlags(dir), marking(dir)),
        );

  const perUnit = (events: number, counted: number) => (events / counted).toFixed(2);
  const events = (r: Read, role: string) => {
    const window = r.windows.get(role);
    if (window === undefined) throw new Error(`no map log of the ${role} process`);
    return window.events;
  };
  const totalRow = (what: string, r: Read, device: string, platform: string) =>
    `| ${what} | ${r.counted.toLocaleString("en-US")} | ${events(r, device).toLocaleString("en-US")} | ${perUnit(events(r, device), r.counted)} | ${perUnit(events(r, platform), r.counted)} | ${perUnit(events(r, device) + events(r, platform), r.counted)} |`;
  const nameOf = sourceFunctionNamer(root);
  const placeOf = (site: MapSite) => {
    const { name, url } = codeFunction(site.code);
    if (url === undefined) return site.code;
    const named = nameOf({
      functionName: name,
      url,
      lineNumber: site.line - 1,
      columnNumber: site.column - 1,
    });
    // Node's own modules are named without a line: the event's line tells its sites apart.
    const place = /:\d+$/.test(named.place) ? named.place : `${named.place}:${site.line}`;
    return `${named.name} ${place}`.trim();
  };
  const eventOf = (site: MapSite) =>
    site.name === "" ? site.kind : `${site.kind} (\`${site.name.slice(0, 40).replaceAll("|", "\\|")}\`)`;
  const sitesOf = (r: Read, role: string, title: string) => {
    const window = r.windows.get(role) as MapWindow;
    const share = (count: number) => `${((100 * count) / Math.max(1, window.events)).toFixed(1)} %`;
    return [
      `${title}: ${perUnit(window.events, r.counted)} map events per ${UNIT}, the ${TOP} largest sites (the code on top of the JavaScript stack, at the event's place in its source):`,
      "",
      `| code | event: V8's reason (the first event's name) | per ${UNIT} | share |`,
      "| --- | --- | ---: | ---: |",
      ...window.sites
        .slice(0, TOP)
        .map((s) => `| ${placeOf(s)} | ${eventOf(s)} | ${perUnit(s.count, r.counted)} | ${share(s.count)} |`),
      "",
    ];
  };
  const lines = [
    `Made by \`${command}\` (bench/hidden-classes.bench.ts): V8's map events per ${UNIT} on each side, read from`,
    `each process's map log (\`--log-maps --log-code\`) between two marks left at the moments the ${UNIT}s were counted,`,
    ...(CHURN > 0
      ? [
          `a ${SECONDS} s window while ${CHURN} of ${DEVICES.toLocaleString("en-US")} devices are power-cycled a second (bench:login-alloc's traffic: each`,
          "cycle a login over TCP, then 1004/1005, 2006/2007 and 2022/2023 over a new UDP socket).",
        ]
      : [
          `a ${SECONDS} s window while ${DEVICES.toLocaleString("en-US")} devices, all online, heartbeat every ${HEARTBEAT_S} s (1000/1001 over UDP) and nothing`,
          "else happens.",
        ]),
    "V8 logs a map event when it makes a hidden class or changes one: a property added where that class had no",
    "transition yet, an object frozen, one turned into a dictionary. Once warm, the objects of a round trip take classes",
    `already made: each event per ${UNIT} is a class made for every ${UNIT}'s object, kept by the collector and new to`,
    "the compiled code's inline caches.",
    "",
    `Machine: ${machineDescription()}.`,
    "",
    `| side | ${UNIT}s in the window | device side: map events | device side, per ${UNIT} | platform side, per ${UNIT} | both, per ${UNIT} |`,
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...sideRows(totalRow, { bare, ours, against }, "BENCH_MAPS_AGAINST"),
    "",
    ...sitesOf(ours, "worker", "The worker"),
    ...sitesOf(ours, "platform", "The platform"),
    ...sitesOf(bare, "bare-client", "The bare client"),
    ...sitesOf(bare, "bare-server", "The bare server"),
  ];
  await writeBenchmarkSection(`Hidden classes per ${UNIT}`, lines);
  console.log(lines.join("\n"));
} finally {
  await rm(work, { recursive: true, force: true });
}
