import { readFileSync } from "node:fs";

/** /proc reports CPU time in USER_HZ ticks, 100 a second on Linux whatever the kernel's own tick. */
export const USER_HZ = 100;

export interface ProcessStat {
  ppid: number;
  /** User + system CPU so far, in seconds. */
  cpuSeconds: number;
  /** Scheduling niceness, -20..19. */
  nice: number;
}

/** What /proc/<pid>/stat says of a process (Linux); undefined where it cannot be read (gone, not Linux). */
export function processStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it start past its last `)`.
  // Counted from there, field 3 (state) is index 0: ppid is field 4, utime 14, stime 15, nice 19.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / USER_HZ,
    nice: Number(fields[16]),
  };
}

/**
 * How long a process's main thread has waited for a core so far, runnable but not running, in seconds: the second
 * field of /proc/<pid>/schedstat (ns). Undefined where it cannot be read (gone, not Linux, a kernel without it).
 */
export function coreWaitSeconds(pid: number | "self"): number | undefined {
  try {
    return parseCoreWait(readFileSync(`/proc/${pid}/schedstat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** The wait for a core in a /proc/<pid>/schedstat line ("<ns on a core> <ns waiting> <timeslices>"), seconds. */
export function parseCoreWait(schedstat: string): number | undefined {
  const waitingNs = Number(schedstat.trim().split(/\s+/)[1]);
  return Number.isFinite(waitingNs) && waitingNs >= 0 ? waitingNs / 1e9 : undefined;
}

/** Resident memory of a process in bytes, from /proc/<pid>/status; undefined where it cannot be read. */
export function residentBytes(pid: number): number | undefined {
  return statusBytes(pid, "VmRSS");
}

/** The most resident memory a process has held so far ("high water mark"), in bytes; undefined where unknown. */
export function peakResidentBytes(pid: number): number | undefined {
  return statusBytes(pid, "VmHWM");
}

function statusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const kb = Number(
      new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1],
    );
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}
