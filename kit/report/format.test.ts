// The scored report keeps its points in one column whatever the test names.
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import type { StageScore, TestScore } from '../run/suites.ts';
import { STAGES } from '../stages.ts';
import { formatStage, wrapWords } from './format.ts';

const t = (name: string, points: number, passed: boolean): TestScore => ({
  stage: 1, name, status: passed ? 'passed' : 'failed', points, earned: passed ? points : 0, message: passed ? '' : 'Expected: x\nGot:      y', hint: 'h', guide: 'g', durationMs: 1,
});

test('points end in the same column for short, long and very long test names', () => {
  const score: StageScore = {
    stage: STAGES[0],
    tests: [
      t('short', 0.5, true),
      t('flags win over CLASSCHAT_HOST/CLASSCHAT_PORT, which win over the defaults', 1, true),
      t('a test name so long that it could never fit on one line of the report, not even on a wide terminal, and wraps twice', 1.5, false),
      t('x'.repeat(120), 1, false),
    ],
    earned: 1.5,
    max: 4,
  };
  const lines = stripVTControlCharacters(formatStage(score)).split('\n');
  const pointLines = lines.filter((l) => /\d\/\d+(\.\d+)?$/.test(l) && /^  [✓✗⧗] /.test(l));
  expect(pointLines).toHaveLength(4);
  for (const line of pointLines) expect(line.length, line).toBe(lines[0].length);
  // The wrapped rest of a name sits under the name, not in the points column.
  const long = lines.findIndex((l) => l.includes('a test name so long'));
  expect(lines[long + 1]).toMatch(/^    \S/);
  expect(lines[long + 1].length).toBeLessThan(lines[0].length - 8);
});

test('wrapWords breaks at spaces, and cuts only a word longer than the line', () => {
  expect(wrapWords('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  expect(wrapWords('abcdefghij kl', 4)).toEqual(['abcd', 'efgh', 'ij', 'kl']);
  expect(wrapWords('', 5)).toEqual(['']);
});
