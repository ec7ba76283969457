// Archives are data until proven otherwise: what they unpack to is bounded in bytes and entries
// (a "zip bomb" must not fill the grading disk), and nothing lands outside their folder.
import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, expect, test } from 'vitest';
import { unpack, type ArchiveLimits } from './submissions.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'classchat-archive-'));
  made.push(dir);
  return dir;
};

/** Small limits: the code path is the grader's, the sizes fit a unit test. */
const LIMITS: ArchiveLimits = { bytes: 1024 * 1024, entries: 50 };
const MIB = 1024 * 1024;

/** Bytes written under `dir`, by the files' sizes. */
const bytesUnder = (dir: string): number =>
  (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).reduce((sum, rel) => sum + (statSync(join(dir, rel)).isFile() ? statSync(join(dir, rel)).size : 0), 0);

const unpackTo = (source: string) => {
  const into = join(scratch(), 'unpacked');
  return { into, run: () => unpack({ student: 'x', source }, into, LIMITS) };
};

function zipOf(files: Record<string, Buffer>): string {
  const zip = new AdmZip();
  for (const [name, data] of Object.entries(files)) zip.addFile(name, data);
  const path = join(scratch(), 'sub.zip');
  zip.writeZip(path);
  return path;
}

function tarOf(build: (dir: string) => void): string {
  const dir = scratch();
  build(dir);
  const path = join(scratch(), 'sub.tar.gz');
  execFileSync('tar', ['-czf', path, '-C', dir, '.']);
  return path;
}

test('a zip within the limits unpacks whole', async () => {
  const { into, run } = unpackTo(zipOf({ '01-socket/endpoint.ts': Buffer.from('export {};\n') }));
  await run();
  expect(existsSync(join(into, '01-socket', 'endpoint.ts'))).toBe(true);
});

test('a zip that inflates past the byte limit is refused before anything is written', async () => {
  // 2 MiB of zeros compress to a few KB: a small bomb.
  const { into, run } = unpackTo(zipOf({ 'a.bin': Buffer.alloc(MIB), 'b.bin': Buffer.alloc(MIB + 1) }));
  await expect(run()).rejects.toThrow('the archive unpacks to 2 MiB, more than 1 MiB');
  expect(bytesUnder(into)).toBe(0);
});

test('a zip whose headers understate what it inflates to writes no more than they say', async () => {
  const path = zipOf({ 'bomb.bin': Buffer.alloc(4 * MIB) });
  // Rewrite the declared size (local header at 22, central directory at 24) to 100 bytes.
  const bytes = execFileSync('cat', [path]);
  bytes.writeUInt32LE(100, 22);
  bytes.writeUInt32LE(100, bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
  writeFileSync(path, bytes);
  const { into, run } = unpackTo(path);
  await run().catch(() => undefined); // refused or cut short: either way, bounded
  expect(bytesUnder(into)).toBeLessThanOrEqual(100);
});

test('a zip with more entries than the limit is refused', async () => {
  const files = Object.fromEntries(Array.from({ length: LIMITS.entries + 1 }, (_, i) => [`f${i}.txt`, Buffer.from('x')]));
  await expect(unpackTo(zipOf(files)).run()).rejects.toThrow(`the archive has ${LIMITS.entries + 1} entries, more than ${LIMITS.entries}`);
});

test('a zip entry named ../ is refused', async () => {
  const zip = new AdmZip();
  zip.addFile('ok.txt', Buffer.from('x'));
  // adm-zip cleans names on the way in; set the raw name afterwards, as a hostile tool would.
  zip.getEntries()[0].entryName = '../../escaped.txt';
  const path = join(scratch(), 'slip.zip');
  zip.writeZip(path);
  const { into, run } = unpackTo(path);
  await expect(run()).rejects.toThrow('outside its folder');
  expect(existsSync(join(into, '..', '..', 'escaped.txt'))).toBe(false);
});

test('a tar.gz that unpacks past the byte limit is stopped there', async () => {
  const path = tarOf((dir) => writeFileSync(join(dir, 'bomb.bin'), Buffer.alloc(3 * MIB)));
  expect(statSync(path).size).toBeLessThan(64 * 1024);
  const { into, run } = unpackTo(path);
  await expect(run()).rejects.toThrow('the archive unpacks to more than 1 MiB');
  expect(bytesUnder(into)).toBeLessThanOrEqual(LIMITS.bytes);
});

test('a tar.gz with more members than the limit is stopped', async () => {
  const path = tarOf((dir) => {
    for (let i = 0; i < LIMITS.entries * 3; i++) writeFileSync(join(dir, `f${i}`), '');
  });
  const { into, run } = unpackTo(path);
  await expect(run()).rejects.toThrow(`the archive has more than ${LIMITS.entries} entries`);
  expect(readdirSync(into).length).toBeLessThan(LIMITS.entries * 3);
});

/** One ustar member: a file ('0'), a symbolic link ('2') or a hard link ('1'), as a hostile tool would write it. */
function member(name: string, body = '', type = '0', link = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write(type, 156);
  header.write(link, 157);
  header.write('ustar\x0000', 257);
  header.fill(' ', 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body);
  return Buffer.concat([header, data]);
}

const rawTar = (...members: Buffer[]): string => {
  const path = join(scratch(), 'sub.tar.gz');
  writeFileSync(path, gzipSync(Buffer.concat([...members, Buffer.alloc(1024)])));
  return path;
};

test('a tar.gz cannot write outside its folder: not by a ../ name, an absolute name, or through a link it holds', async () => {
  const outside = scratch();
  const path = rawTar(
    member('ok.txt', 'fine'),
    member(`../../../../../../../..${outside}/dotdot.txt`, 'x'),
    member(`${outside}/absolute.txt`, 'x'),
    member('door', '', '2', outside),
    member('door/through-link.txt', 'x'),
    member('hard', '', '1', `${outside}/target`),
  );
  writeFileSync(join(outside, 'target'), 'secret');
  const { into, run } = unpackTo(path);
  await run().catch(() => undefined); // tar may complain; what matters is where things landed
  expect(readdirSync(outside).sort()).toEqual(['target']);
  expect(statSync(join(outside, 'target')).nlink).toBe(1); // no name inside links to it
  expect(existsSync(join(into, 'ok.txt'))).toBe(true);
});

test('a file that is not gzip says so', async () => {
  const path = join(scratch(), 'sub.tar.gz');
  writeFileSync(path, 'this is not an archive');
  await expect(unpackTo(path).run()).rejects.toThrow(/incorrect header check/);
});

test('a tar.gz whose tar stops at its end marker, before the padding after it, unpacks whole', async () => {
  const dir = scratch();
  writeFileSync(join(dir, 'ok.txt'), 'fine');
  // tar reads up to the end marker and exits; the 512 KiB of zeros behind it meet a closed pipe.
  const tarball = Buffer.concat([execFileSync('tar', ['-cf', '-', '-C', dir, 'ok.txt']), Buffer.alloc(512 * 1024)]);
  const path = join(scratch(), 'sub.tar.gz');
  writeFileSync(path, gzipSync(tarball));
  const { into, run } = unpackTo(path);
  await run();
  expect(readdirSync(into)).toEqual(['ok.txt']);
});
