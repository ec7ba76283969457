// Finds the submissions in an instructor's folder and unpacks archives. Each entry is one
// student: a folder laid out like stages/, a whole copy of the kit (with a stages/ inside), or
// a .zip / .tar.gz / .tgz of either. The student's name is the entry's name without extension.
import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { STAGES, stageId } from '../stages.ts';

export interface Submission {
  student: string;
  /** Where it came from (the folder or archive). */
  source: string;
  /** Set when the entry is a symbolic link (to a classmate's folder, say): it is not graded. */
  linksTo?: string;
}

const ARCHIVE = /\.(zip|tar\.gz|tgz)$/i;

/**
 * Lists the submissions of `dir`, sorted by student name; hidden entries are skipped. Names are
 * made safe for file names, and two entries that would share one (alice/ and alice.zip) are
 * told apart with a suffix, so no student's feedback overwrites another's.
 */
export function listSubmissions(dir: string): Submission[] {
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) throw new Error(`SUBMISSIONS=${dir} is not a folder.`);
  // A link is listed (and refused when graded) rather than silently skipped or followed.
  const entries = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .filter((name) => lstatSync(join(dir, name)).isDirectory() || lstatSync(join(dir, name)).isSymbolicLink() || ARCHIVE.test(name))
    .sort((a, b) => a.localeCompare(b));
  const taken = new Set<string>();
  const subs = entries.map((name) => {
    const base = safeName(name.replace(ARCHIVE, ''));
    let student = base;
    for (let n = 2; taken.has(student); n++) student = `${base}-${n}`;
    taken.add(student);
    const source = resolve(dir, name);
    return lstatSync(source).isSymbolicLink() ? { student, source, linksTo: realTarget(source) } : { student, source };
  });
  return subs.sort((a, b) => a.student.localeCompare(b.student));
}

function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return readlinkSync(path);
  }
}

/** A student's name as a file name: no path separators, no leading dots. */
export const safeName = (name: string): string => name.replace(/[^\w.@-]+/g, '_').replace(/^\.+/, '_') || '_';

/** Unpacks an archive into `into` (a fresh folder) and returns it; a folder is returned as is. */
export function unpack(sub: Submission, into: string): string {
  if (!ARCHIVE.test(sub.source)) return sub.source;
  mkdirSync(into, { recursive: true });
  if (/\.zip$/i.test(sub.source)) unzip(sub.source, into);
  else execFileSync('tar', ['-xzf', sub.source, '-C', into, '--no-same-owner', '--no-same-permissions'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return into;
}

function unzip(archive: string, into: string): void {
  const root = resolve(into) + sep;
  for (const entry of new AdmZip(archive).getEntries()) {
    // Zip slip: an entry named "../../x" must not land outside the folder.
    const target = resolve(into, entry.entryName);
    if (!target.startsWith(root)) throw new Error(`the archive has an entry outside its folder: ${entry.entryName}`);
    if (entry.isDirectory) mkdirSync(target, { recursive: true });
  }
  new AdmZip(archive).extractAllTo(into, true);
}

/**
 * The folder whose `0N-slug/` subfolders hold the stages: the submission itself, its `stages/`,
 * or the same one level down (archives often wrap everything in one folder).
 */
export function findStagesRoot(dir: string): string | undefined {
  const looksLikeStages = (d: string) => STAGES.some((s) => existsSync(join(d, stageId(s))));
  const candidates = [dir, join(dir, 'stages')];
  const inner = readdirSync(dir).filter((n) => !n.startsWith('.') && !n.startsWith('__') && lstatSync(join(dir, n)).isDirectory());
  if (inner.length === 1) candidates.push(join(dir, inner[0]), join(dir, inner[0], 'stages'));
  return candidates.find((d) => existsSync(d) && looksLikeStages(d));
}
