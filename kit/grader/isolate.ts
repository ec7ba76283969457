// Untrusted code runs in a workspace of its own: a copy of the student's stage folders (regular
// files only, no links out), its own temporary folder and a scrubbed environment. (The runner
// marks and sweeps the processes: kit/run/sweep.ts.)
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGES, stageId } from '../stages.ts';

export interface Workspace {
  /** Folder laid out like stages/, holding the student's copy. */
  stages: string;
  /** The student's own temporary folder (TMPDIR). */
  tmp: string;
  root: string;
}

/** Copies the stage folders of `stagesRoot` into a fresh workspace. */
export function makeWorkspace(stagesRoot: string | undefined): Workspace {
  const root = mkdtempSync(join(tmpdir(), `classchat-grade-${process.pid}-`));
  const ws: Workspace = { stages: join(root, 'stages'), tmp: join(root, 'tmp'), root };
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
  return { ...env, HOME: ws.tmp, TMPDIR: ws.tmp, CI: 'true', NO_COLOR: '1' };
}

export function removeWorkspace(ws: Workspace): void {
  rmSync(ws.root, { recursive: true, force: true });
}
