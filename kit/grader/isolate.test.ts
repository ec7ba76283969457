// A submission is data: only regular files and folders that really lie inside it are copied.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { kitRoot } from '../stages.ts';
import { COPY_LIMIT_BYTES, COPY_MAX_FILES, FILE_LIMIT_BYTES, makeWorkspace, removeWorkspace, type Workspace } from './isolate.ts';

const made: string[] = [];
const spaces: Workspace[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const ws of spaces.splice(0)) removeWorkspace(ws);
});

function submission(): string {
  const dir = mkdtempSync(join(tmpdir(), 'classchat-sub-'));
  made.push(dir);
  mkdirSync(join(dir, '01-socket', 'lib'), { recursive: true });
  writeFileSync(join(dir, '01-socket', 'lib', 'real.ts'), 'export const x = 1;\n');
  return dir;
}

const copy = (stagesRoot: string, top = stagesRoot): Workspace => {
  const ws = makeWorkspace(stagesRoot, top);
  spaces.push(ws);
  return ws;
};

test('a link to a file inside the submission is copied as that file', () => {
  const dir = submission();
  symlinkSync('lib/real.ts', join(dir, '01-socket', 'endpoint.ts'));
  const ws = copy(dir);
  expect(ws.refused).toEqual([]);
  expect(readFileSync(join(ws.stages, '01-socket', 'endpoint.ts'), 'utf8')).toBe('export const x = 1;\n');
});

test('a link out of the submission is refused by its real path, even through an innocent-looking link', () => {
  const dir = submission();
  symlinkSync(join(kitRoot(), 'solutions', '01-socket', 'endpoint.ts'), join(dir, '01-socket', 'lib', 'hop.ts'));
  symlinkSync('lib/hop.ts', join(dir, '01-socket', 'endpoint.ts'));
  const ws = copy(dir);
  expect(existsSync(join(ws.stages, '01-socket', 'endpoint.ts'))).toBe(false);
  expect(ws.refused).toEqual(['01-socket/endpoint.ts is a link (to "lib/hop.ts") that leads outside the submission: refused', expect.stringMatching(/^01-socket\/lib\/hop\.ts is a link \(to ".*solutions\/01-socket\/endpoint\.ts"\) that leads outside/)]);
  // What the note names is the link's own text, never the real path behind it.
  expect(ws.refused[0]).not.toContain(kitRoot());
});

test('stage folders that are a link out of the submission are not read at all', () => {
  const dir = submission();
  symlinkSync(join(kitRoot(), 'solutions'), join(dir, 'stages'));
  const ws = copy(join(dir, 'stages'), dir);
  expect(ws.refused).toHaveLength(1);
  expect(ws.refused[0]).toMatch(/^stages is a link \(to ".*solutions"\) that leads outside the submission: not graded$/);
  expect(existsSync(join(ws.stages, '01-socket'))).toBe(false);
});

test('a hard link shared with a file outside is refused; one shared inside is fine', () => {
  const dir = submission();
  const outside = mkdtempSync(join(tmpdir(), 'classchat-sub-'));
  made.push(outside);
  cpSync(join(kitRoot(), 'solutions', '01-socket', 'endpoint.ts'), join(outside, 'secret.ts'));
  linkSync(join(outside, 'secret.ts'), join(dir, '01-socket', 'endpoint.ts'));
  linkSync(join(dir, '01-socket', 'lib', 'real.ts'), join(dir, '01-socket', 'twin.ts'));
  const ws = copy(dir);
  expect(ws.refused).toEqual(['01-socket/endpoint.ts is a hard link to a file outside the stage folders: refused']);
  expect(existsSync(join(ws.stages, '01-socket', 'twin.ts'))).toBe(true);
});

test.runIf(process.getuid?.() === 0)('a device or a pipe is refused', () => {
  const dir = submission();
  execFileSync('mknod', [join(dir, '01-socket', 'endpoint.ts'), 'c', '1', '3']);
  execFileSync('mkfifo', [join(dir, '01-socket', 'pipe.ts')]);
  const ws = copy(dir);
  expect(ws.refused.sort()).toEqual([
    '01-socket/endpoint.ts is a device, pipe or socket, not a file: refused',
    '01-socket/pipe.ts is a device, pipe or socket, not a file: refused',
  ]);
});

test('a sparse file of 20 GiB and the files past the count limit are refused; the rest is copied', () => {
  const dir = submission();
  // Sparse: 20 GiB by its size, no disk at all. It must be refused on its size, never read.
  execFileSync('truncate', ['-s', '20G', join(dir, '01-socket', 'huge.bin')]);
  mkdirSync(join(dir, '02-listen', 'many'), { recursive: true });
  for (let i = 0; i < COPY_MAX_FILES; i++) writeFileSync(join(dir, '02-listen', 'many', `f${i}.txt`), '');
  const ws = copy(dir);
  expect(existsSync(join(ws.stages, '01-socket', 'lib', 'real.ts'))).toBe(true);
  expect(existsSync(join(ws.stages, '01-socket', 'huge.bin'))).toBe(false);
  expect(ws.refused[0]).toBe(`01-socket/huge.bin is larger than ${FILE_LIMIT_BYTES / 2 ** 20} MiB: refused`);
  // The folders count too (01-socket/, lib/, 02-listen/, many/) and real.ts: the last five of the many are past the limit.
  expect(ws.refused.slice(1, 5).every((r) => r.endsWith(`is past the first ${COPY_MAX_FILES} files of the stage folders: refused`))).toBe(true);
  expect(ws.refused.at(-1)).toBe('and 1 more refused entry');
});

test('the stage folders are copied up to their byte budget', () => {
  const dir = submission();
  const size = FILE_LIMIT_BYTES;
  const parts = COPY_LIMIT_BYTES / size + 1;
  for (let i = 0; i < parts; i++) execFileSync('truncate', ['-s', String(size), join(dir, '01-socket', `part${i}.bin`)]);
  const ws = copy(dir);
  const copied = readdirSync(join(ws.stages, '01-socket')).filter((n) => n.startsWith('part'));
  // real.ts (a few bytes) came first, so one file fewer than the budget's worth fits.
  expect(copied).toHaveLength(parts - 2);
  expect(ws.refused).toHaveLength(2);
  for (const r of ws.refused) expect(r).toMatch(new RegExp(`^01-socket/part\\d\\.bin is past the first ${COPY_LIMIT_BYTES / 2 ** 20} MiB of the stage folders: refused$`));
});
