// Untrusted code runs in a workspace of its own: a copy of the student's stage folders, its own
// temporary folder and a scrubbed environment. A submission is data until proven otherwise: only
// regular files and folders that really lie inside it are copied; a symbolic link that leads out
// of it, a device, a pipe or socket, or a hard link shared with a file elsewhere is refused with a
// note, judged by real paths, never by the last component alone. (The runner marks and sweeps the
// processes: kit/run/sweep.ts; the grader's sandbox: sandbox.ts.)
import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { STAGES, stageId } from '../stages.ts';

export interface Workspace {
  /** Folder laid out like stages/, holding the student's copy. */
  stages: string;
  /** The student's own temporary folder (TMPDIR). */
  tmp: string;
  root: string;
  /** What was refused while copying, one line each (for the student's notes). */
  refused: string[];
}

const MAX_REFUSALS_LISTED = 5;
/** What the stage folders may hold: far more than any ClassChat needs, far less than a full disk. */
export const FILE_LIMIT_BYTES = 16 * 1024 * 1024;
export const COPY_LIMIT_BYTES = 64 * 1024 * 1024;
export const COPY_MAX_FILES = 5000; // files and folders

const inside = (path: string, root: string): boolean => path === root || path.startsWith(root + sep);

/**
 * Copies the stage folders of `stagesRoot` into a fresh workspace. `submissionRoot` is the
 * submission as a whole (its folder, or the folder its archive was unpacked in): nothing outside
 * it is ever read.
 */
export function makeWorkspace(stagesRoot: string | undefined, submissionRoot?: string): Workspace {
  const root = mkdtempSync(join(tmpdir(), `classchat-grade-${process.pid}-`));
  const ws: Workspace = { stages: join(root, 'stages'), tmp: join(root, 'tmp'), root, refused: [] };
  mkdirSync(ws.stages);
  mkdirSync(ws.tmp);
  // The student's .ts files are ES modules, as in the kit (whose package.json says so): without
  // this, tsx would load them as CommonJS and top-level await or import.meta would fail here only.
  // (In the stages folder itself: that is the part of the workspace the sandbox can see.)
  writeFileSync(join(ws.stages, 'package.json'), '{ "type": "module" }\n');
  if (stagesRoot) copySubmission(stagesRoot, submissionRoot ?? stagesRoot, ws);
  // The sandbox runs as an unprivileged user: it must be able to read its own copy (read-only).
  openForReading(root);
  return ws;
}

function copySubmission(stagesRoot: string, submissionRoot: string, ws: Workspace): void {
  const top = realpathSync(submissionRoot);
  const refuse = (path: string, why: string) => ws.refused.push(`${relative(submissionRoot, path) || '.'} ${why}`);
  const real = realpathSync(stagesRoot);
  if (!inside(real, top)) {
    refuse(stagesRoot, `${linkText(stagesRoot)} that leads outside the submission: not graded`);
    return;
  }
  const folders = STAGES.map((s) => join(stagesRoot, stageId(s)));
  const copy: Copy = { top, census: inodeCensus(folders), refuse, bytes: 0, files: 0 };
  for (const s of STAGES) {
    const from = join(stagesRoot, stageId(s));
    if (exists(from)) copyEntry(from, join(ws.stages, stageId(s)), copy, 0);
  }
  if (ws.refused.length > MAX_REFUSALS_LISTED) {
    const more = ws.refused.length - MAX_REFUSALS_LISTED;
    ws.refused.splice(MAX_REFUSALS_LISTED, more, `and ${more} more refused entr${more === 1 ? 'y' : 'ies'}`);
  }
}

/**
 * "is a link (to "x")": the link as the student wrote it. Never where it really leads: that would
 * tell the student where the kit and the grader's folders are.
 */
function linkText(path: string): string {
  try {
    return `is a link (to ${JSON.stringify(readlinkSync(path))})`;
  } catch {
    return 'is inside a linked folder'; // a parent of it is the link
  }
}

const exists = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** How often each (device, inode) occurs under `dirs`: a hard link whose other names are all here is fine. */
function inodeCensus(dirs: string[]): Map<string, number> {
  const census = new Map<string, number>();
  const visit = (path: string, depth: number) => {
    const st = lstatSync(path);
    if (st.isFile()) census.set(key(st), (census.get(key(st)) ?? 0) + 1);
    else if (st.isDirectory() && depth < 32) for (const name of readdirSync(path)) visit(join(path, name), depth + 1);
  };
  for (const dir of dirs) if (exists(dir)) visit(dir, 0);
  return census;
}

const key = (st: Stats): string => `${st.dev}:${st.ino}`;

/** One submission's copy in progress: where it may read from and what it has used of its budget. */
interface Copy {
  top: string;
  census: Map<string, number>;
  refuse: (path: string, why: string) => void;
  bytes: number;
  files: number;
}

function copyEntry(from: string, to: string, copy: Copy, depth: number): void {
  const { top, refuse } = copy;
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(from);
    } catch {
      refuse(from, 'is a link to nothing: skipped');
      return;
    }
    if (!inside(target, top)) refuse(from, `${linkText(from)} that leads outside the submission: refused`);
    else if (lstatSync(target).isFile()) copyFile(target, to, lstatSync(target), copy, from);
    else refuse(from, 'is a link to a folder: copy the folder itself into the submission');
  } else if (st.isDirectory()) {
    if (depth >= 32) return refuse(from, 'is nested too deeply: skipped');
    if (copy.files >= COPY_MAX_FILES) return refuse(from, `is past the first ${COPY_MAX_FILES} files of the stage folders: refused`);
    copy.files++;
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copyEntry(join(from, name), join(to, name), copy, depth + 1);
  } else if (st.isFile()) {
    copyFile(from, to, st, copy, from);
  } else {
    refuse(from, 'is a device, pipe or socket, not a file: refused');
  }
}

function copyFile(from: string, to: string, st: Stats, copy: Copy, named: string): void {
  const { census, refuse } = copy;
  if (st.nlink > (census.get(key(st)) ?? 1)) return refuse(named, 'is a hard link to a file outside the stage folders: refused');
  // Sizes are what the file says of itself: a sparse file of many GB is refused before it is read.
  if (st.size > FILE_LIMIT_BYTES) return refuse(named, `is larger than ${FILE_LIMIT_BYTES / 2 ** 20} MiB: refused`);
  if (copy.files >= COPY_MAX_FILES) return refuse(named, `is past the first ${COPY_MAX_FILES} files of the stage folders: refused`);
  if (copy.bytes + st.size > COPY_LIMIT_BYTES) return refuse(named, `is past the first ${COPY_LIMIT_BYTES / 2 ** 20} MiB of the stage folders: refused`);
  copy.files++;
  copy.bytes += st.size;
  copyFileSync(from, to);
}

/** Folders 0755, files 0644: readable by the sandbox's user, writable by no one but root. */
function openForReading(path: string): void {
  const st = lstatSync(path);
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openForReading(join(path, name));
  } else if (st.isFile()) {
    chmodSync(path, 0o644);
  }
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
