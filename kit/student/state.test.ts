// The state file: missing or damaged means empty, writes are whole, and results, hint levels and
// the chapters shown survive a restart (a new process reading the same file).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { kitRoot, STAGES } from '../stages.ts';
import { emptyState, loadState, saveState, updateState } from './state.ts';

const dir = mkdtempSync(join(tmpdir(), 'classchat-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a missing or damaged state file reads as an empty state', () => {
  expect(loadState(join(dir, 'missing', 'state.json'))).toEqual(emptyState());
  const damaged = join(dir, 'damaged.json');
  writeFileSync(damaged, '{"guideShown": [1, 2');
  expect(loadState(damaged)).toEqual(emptyState());
  writeFileSync(damaged, '{"guideShown": "all", "results": 3}');
  expect(loadState(damaged)).toEqual(emptyState());
});

test('updates are saved whole, through a rename, into a folder made on demand', () => {
  const path = join(dir, 'nested', 'state.json');
  updateState((s) => s.guideShown.push(3), path);
  updateState((s) => {
    s.hints['3'] = { test: 'a connecting client receives the ACK line', level: 2 };
    s.results['3'] = { earned: 2, max: 5, failing: ['x'], at: 1, target: '/k/stages' };
  }, path);
  expect(loadState(path)).toEqual({
    guideShown: [3],
    hints: { '3': { test: 'a connecting client receives the ACK line', level: 2 } },
    results: { '3': { earned: 2, max: 5, failing: ['x'], at: 1, target: '/k/stages' } },
  });
  expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);
});

test('make progress --cached answers from the file after a restart, without grading', () => {
  const path = join(dir, 'restart.json');
  const target = join(kitRoot(), 'stages');
  const state = emptyState();
  for (const s of STAGES) state.results[String(s.number)] = { earned: s.number === 2 ? 0 : s.points, max: s.points, failing: [], at: Date.now() - 5 * 60_000, target };
  saveState(state, path);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(kitRoot(), 'kit', 'cli.ts'), 'progress', '--cached'], {
    cwd: kitRoot(),
    env: { ...process.env, CLASSCHAT_STATE: path, TARGET: '', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('graded 5 min ago');
  // Each stage on its own points: a full stage 6 is passed although stage 2 has nothing.
  expect(r.stdout).toMatch(/02-listen\s+Bind and listen\s+0\/5\s+no points yet/);
  expect(r.stdout).toMatch(/06-final\s+The complete server and client\s+5\/5\s+passed/);
  expect(r.stdout).toContain('Next: start stage 2 (Bind and listen): make stage-2');
  // Nothing was graded: no grading line, and the file still holds the old results.
  expect(r.stdout).not.toContain('Grading');
  expect(loadState(path)).toEqual(state);
});
