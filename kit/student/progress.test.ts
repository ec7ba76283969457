// make progress streams: a stage's row is out as soon as its last test has a result, while the
// rest still run, and each stage is graded on its own points.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { StageTracker } from '../progress.ts';
import type { RunRecord } from '../run/results.ts';
import { runSuites, type StageScore } from '../run/suites.ts';
import { shippedStarters } from '../starters.ts';
import { kitRoot, stageDir, STAGES, stageId, testFile } from '../stages.ts';
import { nextThing, progressRow } from './results.ts';

const starters = shippedStarters();
const mixed = mkdtempSync(join(tmpdir(), 'classchat-progress-'));
afterAll(() => {
  rmSync(mixed, { recursive: true, force: true });
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
});

const file = (n: number) => relative(kitRoot(), testFile(STAGES[n - 1]));
const declared = (n: number, name: string, points: number): RunRecord => ({ type: 'declared', file: file(n), name, points, hint: '', guide: '' });
const result = (n: number, name: string, passed: boolean): RunRecord => ({ type: 'result', file: file(n), name, passed, message: '', durationMs: 1 });

test('a stage is reported when its last declared test has a result, not before, and only once', () => {
  const done: number[] = [];
  const tracker = new StageTracker(STAGES, (s) => done.push(s.stage.number));
  tracker.push(declared(1, 'a', 2));
  tracker.push(declared(1, 'b', 2));
  tracker.push(declared(4, 'c', 6));
  tracker.push(result(1, 'a', true));
  expect(done).toEqual([]);
  tracker.push(result(4, 'c', true));
  expect(done).toEqual([4]);
  tracker.push(result(1, 'b', false));
  expect(done).toEqual([4, 1]);
  tracker.push(result(1, 'b', true)); // a second record for the same test changes nothing
  // A stage whose file failed to load is done too; the rest come when the run ends.
  tracker.push({ type: 'file-error', file: file(2), message: 'SyntaxError' });
  expect(done).toEqual([4, 1, 2]);
});

test('a real run: each stage is reported before the run ends, with the score the run ends with', async () => {
  // Stage 1 as shipped (fails at once), stage 2 the reference (passes): graded side by side.
  cpSync(stageDir(STAGES[0], starters.dir), join(mixed, stageId(STAGES[0])), { recursive: true });
  cpSync(stageDir(STAGES[1], join(kitRoot(), 'solutions')), join(mixed, stageId(STAGES[1])), { recursive: true });
  const stages = STAGES.slice(0, 2);
  const streamed: Array<{ score: StageScore; recordsSoFar: number }> = [];
  let records = 0;
  const tracker = new StageTracker(stages, (score) => streamed.push({ score, recordsSoFar: records }));
  const outcome = await runSuites({ stages, target: mixed, onRecord: (r) => {
    records++;
    tracker.push(r);
  } });
  tracker.flush(outcome.scores);
  expect(streamed.map((s) => s.score.stage.number).sort()).toEqual([1, 2]);
  // Streamed, not at the end: the first stage reported came with records still to come.
  expect(Math.min(...streamed.map((s) => s.recordsSoFar))).toBeLessThan(records);
  for (const { score } of streamed) {
    const final = outcome.scores.find((s) => s.stage.number === score.stage.number)!;
    expect(score.earned).toBe(final.earned);
    expect(score.tests.map((t) => t.status)).toEqual(final.tests.map((t) => t.status));
  }
  const byStage = new Map(streamed.map((s) => [s.score.stage.number, s.score]));
  expect(byStage.get(1)!.earned).toBe(0);
  expect(byStage.get(2)!.earned).toBe(STAGES[1].points);
  // Independent rows: stage 2 is passed although stage 1 has nothing, and the next step is stage 1.
  expect(progressRow(STAGES[1], byStage.get(2))).toMatch(/passed$/);
  expect(nextThing(new Map([...byStage].map(([n, s]) => [n, s])))).toContain('make stage-1');
}, 120_000);
