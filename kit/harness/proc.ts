// What the kernel says about a set of processes, from /proc (Linux; elsewhere every reading is
// undefined and the checks that use them are skipped): the process table, and what a program
// uses summed over all its processes (Program.programPids()): memory peaks, open sockets, CPU.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Start time in ticks since boot: with the pid, names a process (a pid can be reused). */
  start: number;
  /** CPU time of the process (all its threads) and of its children it has reaped, in ms. */
  cpuMs: number;
}

/** One process's /proc/<pid>/stat, or undefined if it is gone. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  // Fields 4 ppid, 5 pgrp, 14-17 utime stime cutime cstime, 22 starttime; f[0] is field 3.
  const ticks = f[11] + f[12] + f[13] + f[14];
  return { pid, ppid: f[1], pgrp: f[2], start: f[19], cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
}

/** Every process on the machine (as this process's /proc shows them); empty without /proc. */
export function processTable(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map((e) => readStat(Number(e))).filter((s) => s !== undefined);
}

/** The `roots` that are in the table and every process descended from them (by parent pid). */
export function descendants(table: readonly ProcStat[], roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const live = new Set(table.map((p) => p.pid));
  const found = new Set<number>();
  for (const queue = roots.filter((pid) => live.has(pid)); queue.length > 0;) {
    const pid = queue.pop()!;
    if (found.has(pid)) continue;
    found.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...found];
}

const identity = (p: ProcStat): string => `${p.pid}@${p.start}`;
const kib = (pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
};

export interface PeakMemory {
  /** Peak memory (VmHWM) of the processes when the watch began, summed, in MiB. */
  startMiB: number;
  /** How much it has grown since, in MiB (see watchPeakMemory). */
  grownMiB(): number;
}

/**
 * Watches how much the peak memory of a program's processes grows from now on; undefined where
 * /proc cannot be read. Why peaks reset now and compared process by process, not VmRSS sampled:
 * - each process's peak is reset first (writing 5 to /proc/<pid>/clear_refs sets VmHWM to the
 *   memory it uses now), so a peak reached before (a balloon allocated and freed at start) hides
 *   nothing of the growth that follows;
 * - a peak is read, not sampled: memory held for a moment between two readings still counts;
 * - the growth is summed per process, from what each had when the watch began (0 for one born
 *   since): a process that ends meanwhile takes nothing away, so a ballast process that exits
 *   cannot offset a hoard kept by another;
 * - the program may reset its own peaks too, but a reset peak is never below the memory in use:
 *   a hoard that is kept always shows.
 * Where the reset is refused, the peak before it is the start: as lenient as reading VmHWM alone.
 */
export function watchPeakMemory(pids: () => number[]): PeakMemory | undefined {
  const start = new Map<string, number>();
  for (const pid of pids()) {
    const stat = readStat(pid);
    if (!stat) continue;
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // Not permitted here: this process's peak so far stays its start.
    }
    const peak = kib(pid, 'VmHWM');
    if (peak !== undefined) start.set(identity(stat), peak);
  }
  if (start.size === 0) return undefined;
  const startKib = [...start.values()].reduce((a, b) => a + b, 0);
  return {
    startMiB: startKib / 1024,
    grownMiB: () => {
      let grown = 0;
      for (const pid of pids()) {
        const stat = readStat(pid);
        const peak = kib(pid, 'VmHWM');
        if (stat && peak !== undefined) grown += Math.max(0, peak - (start.get(identity(stat)) ?? 0));
      }
      return grown / 1024;
    },
  };
}

/**
 * The sockets the processes hold open, by inode ("socket:[123]"), each once however many fds and
 * processes share it; undefined where no fd table can be read. Only sockets: a count of every fd
 * can be kept flat by closing spare files (/dev/null…) as sockets leak.
 */
export function openSockets(pids: readonly number[]): Set<string> | undefined {
  const sockets = new Set<string>();
  let read = false;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
      read = true;
    } catch {
      continue; // gone
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:')) sockets.add(target);
      } catch {
        // closed meanwhile
      }
    }
  }
  return read ? sockets : undefined;
}

const CLOSE_WAIT = '08';

/**
 * Server-side TCP connections on local `port` that the peer has closed and the server has not
 * (CLOSE_WAIT), from the kernel's tables of this network namespace (IPv4 and IPv6): whichever
 * process holds them, or none (an fd sent over a Unix socket and never received), they show here.
 */
export function closeWaitOn(port: number): number {
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === CLOSE_WAIT && parseInt(local?.split(':')[1] ?? '', 16) === port) count++;
    }
  }
  return count;
}

/**
 * CPU time used so far by the processes, in ms: each one's user and system time, all threads, plus
 * that of its children it has reaped. Summed over every living process of a program, that counts
 * each CPU second of the program once, whether its process is still running or has exited
 * (its parent, or the sandbox's init for an orphan, then holds it). Undefined with none to read.
 */
export function cpuMs(pids: readonly number[]): number | undefined {
  const stats = pids.map(readStat).filter((s) => s !== undefined);
  return stats.length === 0 ? undefined : stats.reduce((sum, s) => sum + s.cpuMs, 0);
}
