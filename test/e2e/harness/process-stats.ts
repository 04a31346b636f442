import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux the suite runs on). */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status); NaN when it is gone. */
export function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m === null ? NaN : Number(m[1]) * 1024;
  } catch {
    return NaN;
  }
}

/** Processes whose command line contains `fragment` (e.g. a run directory's path), by scanning /proc. */
export function pidsWithCommandLine(fragment: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(fragment))) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/**
 * Seconds a process's threads have waited, runnable, for a CPU so far (the run_delay field of each thread's
 * /proc/<pid>/task/<tid>/schedstat); with `mainThreadOnly`, the thread whose id is the pid (Node's event loop).
 * NaN when the process is gone. On a machine with fewer cores than runnable threads this is the time a process
 * spends ready but not running: the part of a call's latency that is CPU contention, not work.
 */
export function runQueueSeconds(pid: number | undefined, mainThreadOnly = false): number {
  if (pid === undefined) return NaN;
  const delay = (tid: string): number => {
    try {
      return Number(readFileSync(`/proc/${String(pid)}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
    } catch {
      return 0; // a thread that ended meanwhile
    }
  };
  try {
    return mainThreadOnly ? delay(String(pid)) : readdirSync(`/proc/${String(pid)}/task`).reduce((sum, tid) => sum + delay(tid), 0);
  } catch {
    return NaN;
  }
}
