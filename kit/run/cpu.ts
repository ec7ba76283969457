// CPU time used by the processes of one process group, from /proc (Linux; elsewhere nothing).
// The runner's watchdog uses it to tell a blocked event loop (a process spinning at full CPU)
// from a test that is merely slow on a busy machine (a process waiting, using none).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system) of every live process in group `pgid`, by pid. */
export function groupCpuMs(pgid: number): Map<number, number> {
  const used = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return used;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // field 5, pgrp
      used.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    } catch {
      // Gone meanwhile.
    }
  }
  return used;
}
