// Hint levels built from a real graded run of the shipped starters: the check's hint, the stage's
// hints, the chapter section the check names, then the protocol rule it enforces.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runSuites, type StageScore } from '../run/suites.ts';
import { shippedStarters } from '../starters.ts';
import { kitRoot, STAGES } from '../stages.ts';
import { formatHints, hintLevelFor, hintLevels, matchRule, protocolRules, revealNextHint, sectionOf, tasksIn, wordsOf } from './hints.ts';
import { firstFailure } from './results.ts';

const starters = shippedStarters();
const stateDir = mkdtempSync(join(tmpdir(), 'classchat-hints-'));
let scores: StageScore[] = [];

beforeAll(async () => {
  process.env.CLASSCHAT_STATE = join(stateDir, 'state.json');
  // Starters fail in milliseconds; stage 6 starts programs and is left out to keep this short.
  ({ scores } = await runSuites({ stages: STAGES.filter((s) => !s.programs), target: starters.dir }));
}, 120_000);
afterAll(() => {
  delete process.env.CLASSCHAT_STATE;
  rmSync(stateDir, { recursive: true, force: true });
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
});

const protocol = () => readFileSync(join(kitRoot(), 'guide', 'protocol.md'), 'utf8');

test("stage 3's first failure: its hint, the stage's hints, § The ACK line, then server rule 1", () => {
  const score = scores.find((s) => s.stage.number === 3)!;
  const failure = firstFailure(score)!;
  expect(failure.name).toBe('a connecting client receives the ACK line');
  const levels = hintLevels(score.stage, failure);
  expect(levels.map((l) => l.title)).toEqual([
    'Hint',
    'What usually goes wrong in stage 3',
    'From guide/03-accept.md § The ACK line',
    'The rule: guide/protocol.md § The server, rule by rule, rule 1',
  ]);
  expect(levels[0].text).toBe(failure.hint);
  expect(levels[1].text).toContain(score.stage.hints[0]);
  expect(levels[2].text).toContain('The `\\n` is the point.');
  expect(levels[3].text).toContain('Connection established. Welcome to ClassChat Server!');
  // Shown one level at a time: level 2 shows two, never the rule yet.
  const two = formatHints(levels, 2, 80);
  expect(two).toContain('Hint 2 of 4');
  expect(two).not.toContain('Hint 3 of 4');
});

test('every failing check of every starter gets at least three levels, ending in a rule of the protocol', () => {
  const rules = protocolRules(protocol()).map((r) => r.where);
  let checks = 0;
  for (const score of scores) {
    for (const t of score.tests.filter((x) => x.status !== 'passed')) {
      const levels = hintLevels(score.stage, { name: t.name, hint: t.hint, guide: t.guide });
      checks++;
      expect(levels.length, t.name).toBeGreaterThanOrEqual(3);
      expect(levels[2].title, t.name).toBe(`From ${t.guide}`);
      expect(rules, t.name).toContain(levels.at(-1)!.title.replace('The rule: ', ''));
    }
  }
  expect(checks).toBeGreaterThan(15);
});

test('the rule matched is the one a check is about', () => {
  const rules = protocolRules(protocol());
  const where = (about: string) => matchRule(rules, about)?.where;
  expect(where('a second client gets the busy line and is closed; the first is still served')).toBe('guide/protocol.md § The server, rule by rule, rule 6');
  expect(where('a line over 1024 bytes gives one too-long frame, with bounded memory')).toBe('guide/protocol.md § The server, rule by rule, rule 5');
  expect(where('uses 127.0.0.1:12345 when nothing is given DEFAULT_HOST DEFAULT_PORT')).toBe('guide/protocol.md § Transport and address, point 2');
  expect(rules.find((r) => r.where === 'guide/protocol.md § Transport and address, point 2')?.text).toContain('Defaults: host `127.0.0.1`, port `12345`');
  // Each part of the protocol knows its tasks, so a stage's own rules come first.
  expect(tasksIn('# Part 2: Tasks 2–4')).toEqual([2, 3, 4]);
  expect(tasksIn('# Part 1: Task 1')).toEqual([1]);
  expect(rules.find((r) => r.where.includes('The multi-client server, rule by rule, rule 3'))?.tasks).toContain(3);
  expect(rules.find((r) => r.where.includes('§ The server, rule by rule, rule 6'))?.tasks).toEqual([1]);
  // Examples are not rules.
  expect(rules.some((r) => /sample session/i.test(r.where))).toBe(false);
  expect(wordsOf('DEFAULT_HOST resolveEndpoint 127.0.0.1 ports')).toEqual(['default', 'host', 'resolve', 'endpoint', 'port', '127.0.0.1']);
});

test('h reveals one level more each time, stops at the last, and starts again for another test', () => {
  const stage = STAGES[2];
  expect(hintLevelFor(stage, 'a')).toBe(1);
  expect([revealNextHint(stage, 'a', 4), revealNextHint(stage, 'a', 4), revealNextHint(stage, 'a', 4), revealNextHint(stage, 'a', 4)]).toEqual([2, 3, 4, 4]);
  expect(hintLevelFor(stage, 'a')).toBe(4);
  expect(hintLevelFor(stage, 'b')).toBe(1);
  expect(revealNextHint(stage, 'b', 4)).toBe(2);
  expect(hintLevelFor(STAGES[3], 'b')).toBe(1);
});

test('sectionOf finds a heading and stops at the next one of its level', () => {
  const md = '# T\n\n## A\n\ntext a\n\n### A.1\n\nsub\n\n## B\n\ntext b\n';
  expect(sectionOf(md, 'A')).toBe('text a\n\n### A.1\n\nsub');
  expect(sectionOf(md, 'B')).toBe('text b');
  expect(sectionOf(md, 'C')).toBeUndefined();
});
