// Untrusted code runs in a workspace of its own: a copy of the student's stage folders (regular
// files only, no links out), its own temporary folder, a scrubbed environment, and a run id in
// that environment. After the run every process that still carries the id is killed, so a child
// that left its process group (setsid, detached) is found too.
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGES, stageId } from '../stages.ts';

export const RUN_ID_VAR = 'CLASSCHAT_GRADE_RUN';

export interface Workspace {
  /** Folder laid out like stages/, holding the student's copy. */
  stages: string;
  /** The student's own temporary folder (TMPDIR). */
  tmp: string;
  runId: string;
  root: string;
}

/** Copies the stage folders of `stagesRoot` into a fresh workspace. */
export function makeWorkspace(stagesRoot: string | undefined): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'classchat-grade-'));
  const ws: Workspace = { stages: join(root, 'stages'), tmp: join(root, 'tmp'), runId: randomUUID(), root };
  mkdirSync(ws.stages);
  mkdirSync(ws.tmp);
  if (!stagesRoot) return ws;
  for (const s of STAGES) {
    const from = join(stagesRoot, stageId(s));
    if (existsSync(from) && lstatSync(from).isDirectory()) {
      // Only regular files and folders: a symlink could point at solutions/ or outside.
      cpSync(from, join(ws.stages, stageId(s)), { recursive: true, filter: (src) => !lstatSync(src).isSymbolicLink() });
    }
  }
  return ws;
}

/** The environment student code sees: no secrets, no NODE_OPTIONS, its own TMPDIR. */
export function scrubbedEnv(ws: Workspace): NodeJS.ProcessEnv {
  const keep = ['PATH', 'LANG', 'LC_ALL', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, HOME: ws.tmp, TMPDIR: ws.tmp, CI: 'true', NO_COLOR: '1', [RUN_ID_VAR]: ws.runId };
}

/** Pids of processes whose environment carries `runId` (Linux /proc; elsewhere none). */
export function processesOf(runId: string): number[] {
  if (!existsSync('/proc')) return [];
  const marker = `${RUN_ID_VAR}=${runId}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

/** Kills every process of the run; returns how many there were. */
export function sweep(ws: Workspace): number {
  const pids = processesOf(ws.runId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  return pids.length;
}

export function removeWorkspace(ws: Workspace): void {
  rmSync(ws.root, { recursive: true, force: true });
}
