// Watch mode without a terminal (keys arrive as lines): the first screen, a save that grades
// again by itself, `h` for the next hint level, `r` by hand, `q` to quit.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { killGroup } from '../harness/program.ts';
import { shippedStarters } from '../starters.ts';
import { kitRoot, stageDir, STAGES, stageId } from '../stages.ts';
import { SAVE_QUIET_MS, watchScreen } from './watch.ts';

const starters = shippedStarters();
const scratch = mkdtempSync(join(tmpdir(), 'classchat-watch-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
});

test('the screen: report, first failing test with its hint, progress bar, keys; n only once passed', () => {
  const stage = STAGES[0];
  const failing = { stage: 1, name: 'uses 127.0.0.1:12345 when nothing is given', status: 'failed' as const, points: 0.5, earned: 0, message: 'Expected: a\nGot:      b', hint: 'Fall back to the defaults.', guide: 'guide/01-socket.md § Where to connect', durationMs: 1 };
  const screen = watchScreen({
    stage, target: scratch, running: false, reason: 'start', width: 80,
    score: { stage, tests: [failing], earned: 0, max: 0.5 },
    hints: { levels: [{ title: 'Hint', text: failing.hint }, { title: 'More', text: 'deeper' }], level: 1 },
  });
  expect(screen).toContain('First failing test: uses 127.0.0.1:12345 when nothing is given');
  expect(screen).toContain('Hint 1 of 2 · Hint');
  expect(screen).not.toContain('deeper');
  expect(screen).toMatch(/0\/\d+ stages passed/);
  expect(screen).toContain('n next stage (once passed)');
  const passed = watchScreen({ stage, target: scratch, running: false, reason: 'r', width: 80, score: { stage, tests: [{ ...failing, status: 'passed', earned: 0.5 }], earned: 0.5, max: 0.5 } });
  expect(passed).toContain('Stage 1 passed with full points.');
  expect(passed).toContain('n next stage (2)');
});

test('a save grades again by itself; h, r and q work', async () => {
  const stage = STAGES[0];
  const target = join(scratch, 'stages');
  cpSync(stageDir(stage, starters.dir), join(target, stageId(stage)), { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', join(kitRoot(), 'kit', 'cli.ts'), 'watch', '1'], {
    cwd: kitRoot(),
    env: { ...process.env, TARGET: target, NO_COLOR: '1', FORCE_COLOR: '0', CLASSCHAT_STATE: join(scratch, 'state.json') },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Waits for the screen to show something, checking on each piece of output (the test's own
  // time limit is the only deadline: a slow machine grades slowly, it does not fail).
  const waitUntil = (ready: () => boolean, _what: { what: string }) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`watch exited (${code}) before: ${_what.what}\n${out}`)));
      check();
    });
  try {
    const screens = () => out.split('─'.repeat(60)).filter((s) => s.includes('Keys:') && !s.includes('⟳ grading'));
    await waitUntil(() => screens().length >= 1, { what: 'the first screen' });
    expect(screens()[0]).toMatch(/Stage 1 · Socket creation\s+0 \/ 4 points/);
    expect(screens()[0]).toContain('Hint 1 of');

    // Fix one check in the starter with an atomic save (a new file renamed over the old one).
    const file = join(target, stageId(stage), 'endpoint.ts');
    const fixed = readFileSync(file, 'utf8')
      .replace(/throw new Error\('TODO\(stage 1\): createServerSocket'\);/, 'return new Server();')
      .replace(/throw new Error\('TODO\(stage 1\): createClientSocket'\);/, 'return new Socket();');
    writeFileSync(`${file}.tmp`, fixed);
    renameSync(`${file}.tmp`, file);
    await waitUntil(() => screens().length >= 2, { what: 'a screen after the save' });
    const afterSave = screens()[1];
    expect(afterSave).toMatch(/1 \/ 4 points/);
    expect(afterSave).toMatch(/✓ creates a fresh, unbound server socket/);
    expect(afterSave).toMatch(/save → screen \d+\.\d s/);

    child.stdin.write('h\n');
    await waitUntil(() => screens().length >= 3, { what: 'the screen after h' });
    expect(screens()[2]).toContain('Hint 2 of');
    child.stdin.write('r\n');
    await waitUntil(() => screens().length >= 4, { what: 'the screen after r' });
    expect(screens()[3]).toMatch(/1 \/ 4 points/);
    child.stdin.write('q\n');
    expect(await exited).toBe(0);
  } finally {
    killGroup(child.pid, 'SIGKILL');
  }
  expect(SAVE_QUIET_MS).toBeGreaterThan(0);
}, 120_000);
