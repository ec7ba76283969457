// The mutation check's own pieces on tiny inputs: edits that must apply exactly once, and the
// bullets and rules read from markdown that the mutants must cover.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { STAGES } from '../stages.ts';
import { commonMistakes, protocolRules } from './coverage.ts';
import { applyEdit, applyEdits, occurrences } from './edits.ts';
import { chapterMistakes, protocolDuties, stageProblems, uncoveredRules, type StageMutations } from './plan.ts';

describe('edits', () => {
  test('a find that occurs once is replaced, literally', () => {
    expect(applyEdit('a $1 b', { file: 'f.ts', find: '$1', replace: '$&x' })).toBe('a $&x b');
  });

  test('a find that is missing or occurs twice fails loudly, naming the file', () => {
    expect(() => applyEdit('abc', { file: 'f.ts', find: 'x', replace: 'y' })).toThrow(/"x" occurs 0 times in f\.ts/);
    expect(() => applyEdit('a a', { file: 'f.ts', find: 'a', replace: 'b' })).toThrow(/occurs 2 times/);
    expect(() => applyEdit('a', { file: 'f.ts', find: 'a', replace: 'a' })).toThrow(/with itself/);
    expect(() => applyEdit(undefined, { file: 'gone.ts', find: 'a', replace: 'b' })).toThrow(/gone\.ts does not exist/);
  });

  test('occurrences do not overlap', () => {
    expect(occurrences('aaaa', 'aa')).toBe(2);
    expect(occurrences('abc', '')).toBe(0);
  });

  test('edits apply in order inside the stage folder and never outside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classchat-edits-'));
    try {
      writeFileSync(join(dir, 'a.ts'), 'one two');
      applyEdits(dir, [
        { file: 'a.ts', find: 'one', replace: 'three' },
        { file: 'a.ts', find: 'three two', replace: 'done' },
        { file: 'b.ts', content: 'new file' },
      ]);
      expect(readFileSync(join(dir, 'a.ts'), 'utf8')).toBe('done');
      expect(readFileSync(join(dir, 'b.ts'), 'utf8')).toBe('new file');
      expect(() => applyEdits(dir, [{ file: '../x.ts', content: '' }])).toThrow(/outside the stage folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('coverage', () => {
  const chapter = [
    '# Stage 9', '', '## Common mistakes', '',
    '- First mistake,', '  continued here.', '- Second one.', '',
    '```text', '- not a bullet', '```', '', '## Next', '- not a mistake either',
  ].join('\n');

  test("a chapter's Common mistakes bullets, continuation lines joined, fences ignored", () => {
    expect(commonMistakes(chapter)).toEqual([
      { id: 'mistake 1', text: 'First mistake, continued here.' },
      { id: 'mistake 2', text: 'Second one.' },
    ]);
    expect(commonMistakes('# No such section')).toEqual([]);
  });

  test('numbered items under every "rule by rule" heading, keyed by the heading', () => {
    const md = ['## The server, rule by rule', '', '1. Greeting: hello.', '2. Replies: echo', '   them back.', '',
      '## The client, rule by rule', '', '- a bullet is not a rule', '1. Connects.', '', '## Other', '1. not a rule'].join('\n');
    expect(protocolRules(md).map((r) => `${r.id}: ${r.text}`)).toEqual([
      'server rule 1: Greeting: hello.', 'server rule 2: Replies: echo them back.', 'client rule 1: Connects.',
    ]);
  });

  test('uncovered bullets, unknown covers and too few variants are problems', () => {
    const sm: StageMutations = {
      stage: STAGES[0],
      mutants: [{ name: 'm', mistake: 'x', covers: ['mistake 1', 'server rule 9'], edits: [] }],
      unobservable: [{ name: 'u', mistake: 'y', covers: ['server rule 1'], why: 'cannot be seen' }],
      variants: [{ name: 'v', how: 'z', edits: [] }],
    };
    const problems = stageProblems(sm, commonMistakes(chapter), [{ id: 'server rule 1', text: 'Greeting.' }, { id: 'server rule 2', text: 'Replies.' }]);
    expect(problems.some((p) => /1 variant\(s\)/.test(p))).toBe(true);
    expect(problems.some((p) => /"server rule 9"/.test(p))).toBe(true);
    expect(problems.some((p) => /mistake 2 \("Second one\."\)/.test(p))).toBe(true);
    expect(problems.some((p) => /mistake 1 /.test(p))).toBe(false);
    expect(uncoveredRules([sm], [{ id: 'server rule 1', text: 'a' }, { id: 'server rule 2', text: 'b' }])).toEqual([
      'guide/protocol.md server rule 2 ("b") has no mutant in any stage and is not listed as unobservable',
    ]);
  });

  test("the kit's own chapters and protocol have the duties the check reads", () => {
    expect(chapterMistakes(STAGES[0]).length).toBeGreaterThan(0);
    expect(protocolDuties().map((r) => r.id)).toContain('server rule 1');
  });
});
