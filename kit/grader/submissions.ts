// Finds the submissions in an instructor's folder and unpacks archives. Each entry is one
// student: a folder laid out like stages/, a whole copy of the kit (with a stages/ inside), or
// a .zip / .tar.gz / .tgz of either. The student's name is the entry's name without extension.
import AdmZip from 'adm-zip';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
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

/**
 * What an archive may unpack to. A whole copy of the kit with its node_modules is about 110 MB in
 * 3,500 files; a "zip bomb" (a few KB that inflate to many GB) must not fill the grading disk.
 */
export interface ArchiveLimits {
  bytes: number;
  entries: number;
}
export const ARCHIVE_LIMITS: ArchiveLimits = { bytes: 512 * 1024 * 1024, entries: 50_000 };

/** Unpacks an archive into `into` (a fresh folder) and returns it; a folder is returned as is. */
export async function unpack(sub: Submission, into: string, limits = ARCHIVE_LIMITS): Promise<string> {
  if (!ARCHIVE.test(sub.source)) return sub.source;
  if (statSync(sub.source).size > limits.bytes) throw new Error(`the archive is larger than ${mib(limits.bytes)}`);
  mkdirSync(into, { recursive: true });
  if (/\.zip$/i.test(sub.source)) unzip(sub.source, into, limits);
  else await untar(sub.source, into, limits);
  return into;
}

const mib = (bytes: number): string => `${+(bytes / 1024 / 1024).toFixed(2)} MiB`;

function unzip(archive: string, into: string, limits: ArchiveLimits): void {
  const root = resolve(into) + sep;
  const zip = new AdmZip(archive);
  const entries = zip.getEntries();
  if (entries.length > limits.entries) throw new Error(`the archive has ${entries.length} entries, more than ${limits.entries}`);
  // adm-zip never inflates an entry past its declared size, so the declared sizes bound the disk used.
  const total = entries.reduce((sum, e) => sum + e.header.size, 0);
  if (total > limits.bytes) throw new Error(`the archive unpacks to ${mib(total)}, more than ${mib(limits.bytes)}`);
  for (const entry of entries) {
    // Zip slip: an entry named "../../x" must not land outside the folder.
    const target = resolve(into, entry.entryName);
    if (!target.startsWith(root)) throw new Error(`the archive has an entry outside its folder: ${entry.entryName}`);
    if (entry.isDirectory) mkdirSync(target, { recursive: true });
  }
  zip.extractAllTo(into, true);
}

/**
 * GNU tar unpacks (it refuses members named with `..` or an absolute path, and never writes
 * through a link it made), fed by Node's gunzip through a counter: past the byte limit the stream
 * stops, so no tar bomb writes more than the limit. tar names each member as it goes (-v, one line
 * each: it escapes newlines in names), so one with too many members is stopped as well.
 */
async function untar(archive: string, into: string, limits: ArchiveLimits): Promise<void> {
  const tar = spawn('tar', ['-x', '-v', '-f', '-', '-C', into, '--no-same-owner', '--no-same-permissions'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let members = 0;
  let tooMany = false;
  tar.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString('utf8'); });
  tar.stdout.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) members++;
    if (members > limits.entries && !tooMany) {
      tooMany = true;
      tar.kill('SIGKILL');
    }
  });
  const exited = once(tar, 'close') as Promise<[number | null]>;
  const why = (err: unknown): string =>
    tooMany ? `the archive has more than ${limits.entries} entries` : (err as NodeJS.ErrnoException).code === 'EPIPE' ? `tar: ${firstLine(stderr)}` : (err as Error).message;
  try {
    await pipeline(createReadStream(archive), createGunzip(), limitBytes(limits.bytes), tar.stdin);
  } catch (err) {
    // tar stops reading at the archive's end marker: the zero padding gzip still holds after it
    // then meets a closed pipe. That is a whole archive unpacked, not a failure.
    const early = ['EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes((err as NodeJS.ErrnoException).code ?? '');
    if (!early) tar.kill('SIGKILL');
    const [code] = await exited;
    if (early && code === 0 && !tooMany) return;
    throw new Error(why(err));
  }
  const [code] = await exited;
  if (tooMany) throw new Error(why(undefined));
  if (code !== 0) throw new Error(`tar: ${firstLine(stderr) || `exit ${code}`}`);
}

const firstLine = (text: string): string => text.trim().split('\n')[0];

/** Passes at most `limit` bytes on; one more is an error. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(new Error(`the archive unpacks to more than ${mib(limit)}`));
      else done(null, chunk);
    },
  });
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
