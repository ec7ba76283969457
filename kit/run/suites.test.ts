// Scoring from the runner's records: one declaration and one result per test once the file has
// ended, or the stage is not scored (never "first record wins").
import { expect, test } from 'vitest';
import { STAGES } from '../stages.ts';
import type { RunRecord } from './results.ts';
import { scoreStage, testPath } from './suites.ts';

const stage = STAGES[0];
const file = testPath(stage);
// The stage's points split over two tests, as the suite would declare them.
const declared = (name: string, points: number): RunRecord => ({ type: 'declared', file, name, points, hint: '', guide: '' });
const result = (name: string, passed: boolean): RunRecord => ({ type: 'result', file, name, passed, message: passed ? '' : 'wrong', durationMs: 1 });
const ended = (notRun: string[] = []): RunRecord => ({ type: 'file-end', file, notRun });
const honest: RunRecord[] = [declared('a', 1), declared('b', stage.points - 1), result('a', true), result('b', false), ended()];

test('honest records score test by test', () => {
  const score = scoreStage(stage, honest, undefined);
  expect(score.tampered).toBeUndefined();
  expect(score.earned).toBe(1);
  expect(score.tests.map((t) => t.status)).toEqual(['passed', 'failed']);
});

test.each([
  ['a second result for a test', [...honest, result('b', true)], /two results for "b"/],
  ['a forged result written first', [declared('a', 1), declared('b', stage.points - 1), result('b', true), result('a', true), result('b', false)], /two results for "b"/],
  ['a test declared twice', [declared('a', 1), ...honest], /"a" was declared twice/],
  ['a result for a test nobody declared', [...honest, result('c', true)], /which the suite does not declare/],
  ['a result kept from being written', [declared('a', 1), declared('b', stage.points - 1), result('a', true), ended()], /no result for "b", though its file ended/],
])('%s: the stage scores 0 and says it was tampered with', (_, records, why) => {
  const score = scoreStage(stage, records, undefined);
  expect(score.tampered).toMatch(why);
  expect(score.earned).toBe(0);
  expect(score.tests[0].message).toMatch(/tampered with/);
});

test('a run stopped before its file ended: a missing result costs only its own test', () => {
  const score = scoreStage(stage, honest.slice(0, 3), 'the run was stopped');
  expect(score.tampered).toBeUndefined();
  expect(score.earned).toBe(1);
  expect(score.tests[1].status).toBe('unfinished');
});

test('a test vitest did not run (a run that stops at its first failure) is unfinished, not tampered with', () => {
  const score = scoreStage(stage, [declared('a', 1), declared('b', stage.points - 1), result('a', false), ended(['b'])], undefined);
  expect(score.tampered).toBeUndefined();
  expect(score.tests.map((t) => t.status)).toEqual(['failed', 'unfinished']);
});

test('after a file error (a failed hook) a missing result is not tampering', () => {
  const records: RunRecord[] = [declared('a', 1), declared('b', stage.points - 1), result('a', true), { type: 'file-error', file, message: 'afterAll failed' }, ended()];
  expect(scoreStage(stage, records, undefined).tampered).toBeUndefined();
});
