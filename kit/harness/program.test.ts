// Child programs: the whole process group dies, even a program that ignores SIGTERM; output is
// capped; an early exit fails a wait with the program's last words.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { Output, OUTPUT_CAP_BYTES, Program, UNREAD_LINES_CAP } from './program.ts';
import { Transcript } from './transcript.ts';

// Running, as opposed to gone or a zombie waiting for a container's init to reap it.
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('stop() ends a program that traps SIGTERM, and the child it started', async () => {
  // The shell ignores TERM and starts a sleep; it prints the sleep's pid so we can check it.
  const p = Program.start('sh', ['-c', "trap '' TERM; sleep 60 & echo $!; wait"], { who: 'stubborn', transcript: new Transcript() });
  const childPid = Number(await p.waitForLine('stdout', 'a pid', (l) => /^\d+$/.test(l)));
  const started = Date.now();
  await p.stop(300);
  expect(p.hasExited).toBe(true);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(alive(childPid)).toBe(false);
});

test('a flood of output is capped and marked as truncated', async () => {
  const p = Program.start(process.execPath, ['-e', "process.stdout.write('x'.repeat(5 * 1024 * 1024))"], { who: 'flood', transcript: new Transcript() });
  await p.waitForExit('exit after the flood', 10_000);
  const text = p.out.stdout.captured();
  expect(text.length).toBeLessThan(OUTPUT_CAP_BYTES + 100);
  expect(text).toContain('[output truncated at 64 KiB]');
});

test('lines nobody reads are kept only up to the cap: 300 lines of 60 KiB do not fill the tests\' memory', async () => {
  const p = Program.start(process.execPath, ['-e', "const l = 'z'.repeat(60 * 1024) + '\\n'; for (let i = 0; i < 300; i++) process.stdout.write(l); console.log('last')"], { who: 'flood', transcript: new Transcript() });
  await p.waitForExit('exit after the flood', 10_000);
  const kept = p.out.stdout.lines.length;
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(300);
  expect(p.out.stdout.lines.reduce((sum, l) => sum + l.length, 0)).toBeLessThanOrEqual(UNREAD_LINES_CAP.chars);
  // Reading takes lines off the front.
  await p.waitForLine('stdout', 'the first line', () => true);
  expect(p.out.stdout.lines.length).toBe(kept - 1);
});

test('waiting for a line from a program that exited says so and shows its stderr', async () => {
  const p = Program.start(process.execPath, ['-e', "console.error('Error: port 1 is in use'); process.exit(1)"], { who: 'server', transcript: new Transcript() });
  const err = await p.waitForLine('stdout', 'the listening line', (l) => l.startsWith('ClassChat'), 5000).catch((e: unknown) => e as Error);
  await p.stop();
  expect((err as Error).message).toMatch(/server exited \(exit code 1\) first; its stdout was empty/);
  expect(p.out.stderr.captured()).toContain('port 1 is in use');
});

test('a program never sees the suites\' seeds (it could work out every input from them)', async () => {
  const p = Program.start(process.execPath, ['-e', 'console.log(JSON.stringify([process.env.SEED, process.env.CLASSCHAT_SEED, process.env.KEPT]))'], {
    who: 'program', transcript: new Transcript(), env: { ...process.env, SEED: '42', CLASSCHAT_SEED: '43', KEPT: 'yes' },
  });
  const line = await p.waitForLine('stdout', 'its view of the seeds', (l) => l.startsWith('['), 10_000);
  await p.stop();
  expect(JSON.parse(line)).toEqual([null, null, 'yes']);
});

test('past the cap of unread lines, more lines are only counted off, never made into strings', () => {
  const out = new Output();
  const first = out.push(Buffer.alloc(UNREAD_LINES_CAP.lines + 10, 10));
  expect(first).toHaveLength(UNREAD_LINES_CAP.lines);
  expect(out.push(Buffer.alloc(1 << 20, 10))).toEqual([]);
  expect(out.lines).toHaveLength(UNREAD_LINES_CAP.lines);
  // Reading makes room again.
  out.take(5);
  expect(out.push(Buffer.from('a\nb\n'))).toEqual(['a', 'b']);
});
