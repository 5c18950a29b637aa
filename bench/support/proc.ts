/**
 * CPU and memory of processes from /proc (Linux), like pidusage without a dependency:
 * `/proc/<pid>/stat` fields 14-15 (utime, stime, in clock ticks) and `/proc/<pid>/status`
 * VmRSS. Clock ticks are 100 per second on Linux (`getconf CLK_TCK`).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU time the process has used so far (user + system), in milliseconds; undefined if it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: the fields after it start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes; undefined if the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The process and every process below it (a cluster's workers), by parent pid from /proc/<pid>/stat. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return out;
}

/** CPU milliseconds of a process and all its descendants (those alive now). */
export function treeCpuMs(root: number): number {
  return totalCpuMs(processTree(root));
}

/** RSS of a process and all its descendants, bytes. */
export function treeRssBytes(root: number): number | undefined {
  const pids = processTree(root);
  let sum = 0;
  let any = false;
  for (const pid of pids) {
    const rss = rssBytes(pid);
    if (rss !== undefined) {
      sum += rss;
      any = true;
    }
  }
  return any ? sum : undefined;
}

/** Every process whose command name (`/proc/<pid>/comm`) is `name`, e.g. the PostgreSQL server's backends. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Processes whose command line (as `ps` shows it; PostgreSQL backends show their database there) contains `text`. */
export function pidsWithCmdline(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Total CPU milliseconds of a set of processes (those that exited meanwhile count 0). */
export function totalCpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
}

/** Samples the RSS of a process (and its workers) every `intervalMs` until stopped; reports the peak and the last value. */
export function sampleRss(pid: number, intervalMs = 1000) {
  let peak = treeRssBytes(pid) ?? 0;
  let last = peak;
  const timer = setInterval(() => {
    const rss = treeRssBytes(pid);
    if (rss === undefined) return;
    last = rss;
    peak = Math.max(peak, rss);
  }, intervalMs);
  timer.unref();
  return {
    stop(): { peakRss: number; lastRss: number } {
      clearInterval(timer);
      const rss = treeRssBytes(pid);
      if (rss !== undefined) {
        last = rss;
        peak = Math.max(peak, rss);
      }
      return { peakRss: peak, lastRss: last };
    },
  };
}
