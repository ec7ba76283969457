// Finds and kills what a run left behind. Every process a run starts carries the run's id in its
// environment, so a child that left its process group (setsid, detached) is found too; a child
// started with a fresh environment is found by its working folder when the run has a private one.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { sep } from 'node:path';

export const RUN_ID_VAR = 'CLASSCHAT_RUN';

/**
 * A run's id: `<pid of the process that started it>-<uuid>`, so a check for leftovers can look
 * for its own runs (`ownRunPrefix()`) while other runs go on elsewhere on the machine.
 */
export const newRunId = (): string => `${ownRunPrefix()}${randomUUID()}`;
export const ownRunPrefix = (): string => `${process.pid}-`;

export interface SweepTarget {
  runId: string;
  /** A folder only this run uses (the grader's copy of the kit); processes working inside it go too. */
  privateDir?: string;
}

/** Pids of the run's processes (Linux /proc; elsewhere none). */
export function processesOf(target: SweepTarget): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const marker = `${RUN_ID_VAR}=${target.runId}`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) {
        found.push(Number(entry));
        continue;
      }
      if (target.privateDir) {
        const cwd = readlinkSync(`/proc/${entry}/cwd`);
        if (cwd === target.privateDir || cwd.startsWith(target.privateDir + sep)) found.push(Number(entry));
      }
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

/** Kills every process of the run; returns how many there were. */
export function sweep(target: SweepTarget): number {
  const pids = processesOf(target);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  return pids.length;
}
