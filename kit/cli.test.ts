// The student's commands end to end, as `make stage-N` runs them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { shippedStarters } from './starters.ts';
import { kitRoot } from './stages.ts';

const starters = shippedStarters();
// Grading remembers results: in a state file of the test's own, not the student's.
const stateDir = mkdtempSync(join(tmpdir(), 'classchat-cli-'));
afterAll(() => {
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(kitRoot(), 'kit', 'cli.ts'), ...args], {
    cwd: kitRoot(),
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', CLASSCHAT_STATE: join(stateDir, 'state.json'), ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('an untouched starter gets a failing scored report with hints, and exit code 1', () => {
  const r = cli(['stage', '1', '--no-guide', '--target', starters.dir]);
  expect(r.code).toBe(1);
  expect(r.out).toContain('Stage 1 · Socket creation');
  expect(r.out).toMatch(/0 \/ 4 points/);
  expect(r.out).toContain('Hint:');
  expect(r.out).toContain('Read: guide/01-socket.md § ');
  expect(r.out).toContain('make stage-1');
});

test('the reference solution gets full points, exit code 0, and is pointed at the next stage', () => {
  const r = cli(['stage', '2', '--no-guide'], { TARGET: 'solutions' });
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/5 \/ 5 points/);
  expect(r.out).toContain('Next: make stage-3');
});

test('a chapter renders, and its colour follows the terminal, FORCE_COLOR and NO_COLOR', () => {
  const plain = cli(['guide', '1']);
  expect(plain.code).toBe(0);
  expect(plain.out).toContain('Where to connect');
  expect(plain.out).not.toMatch(/\u001b\[/);
  expect(cli(['guide', '1'], { FORCE_COLOR: '1' }).out).toMatch(/\u001b\[/);
  expect(cli(['guide', '1'], { FORCE_COLOR: '1', NO_COLOR: '1' }).out).not.toMatch(/\u001b\[/);
});

test('--help exits 0; a bad stage or flag exits 2 with one line saying what is wrong', () => {
  const help = cli(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('Usage:');
  const bad = cli(['stage', '42']);
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/There is no stage 42\. Stages: 1, 2, 3/);
  const flag = cli(['stage', '1', '--colour']);
  expect(flag.code).toBe(2);
  expect(flag.err).toMatch(/Unknown option '--colour'/);
});
