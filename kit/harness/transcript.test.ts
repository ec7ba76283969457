// A long conversation folds its middle, never the last steps before the failure.
import { describe, expect, test } from 'vitest';
import { Transcript } from './transcript.ts';

describe('Transcript.format', () => {
  test('a short conversation is shown whole', () => {
    const t = new Transcript();
    t.note('client connects');
    t.add('sent', 'client', 'hi\n');
    t.add('received', 'client', 'Server received: hi\n');
    expect(t.format()).toBe('  · client connects\n  → client sent "hi\\n"\n  ← client got  "Server received: hi\\n"');
  });

  test('a long one keeps its start and its tail, folding the middle', () => {
    const t = new Transcript();
    for (let i = 1; i <= 100; i++) t.add('received', 'server', `line ${i}\n`);
    const lines = t.format().split('\n');
    expect(lines[0]).toContain('line 1\\n');
    expect(lines.at(-1)).toContain('line 100\\n');
    expect(lines.some((l) => /… \d+ more steps …/.test(l))).toBe(true);
    expect(lines.slice(-16).every((l) => !l.includes('more steps'))).toBe(true);
  });

  test("the test's last actions stay visible after a flood of output", () => {
    const t = new Transcript();
    for (let i = 1; i <= 20; i++) t.add('sent', 'client', `msg ${i}\n`);
    t.add('sent', 'client', 'exit\n');
    t.add('received', 'client', 'Goodbye\n');
    for (let i = 1; i <= 60; i++) t.add('received', 'stdout', `noise ${i}\n`);
    t.note('client waits for the close');
    const text = t.format();
    expect(text).toContain('"exit\\n"');
    expect(text).toContain('"Goodbye\\n"');
    expect(text.split('\n').at(-1)).toBe('  · client waits for the close');
  });

  test('entries dropped to bound memory are counted in the fold', () => {
    const t = new Transcript();
    for (let i = 1; i <= 1000; i++) t.add('received', 'server', `l${i}\n`);
    const text = t.format();
    const folded = [...text.matchAll(/… (\d+) more steps …/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(folded + text.split('\n').filter((l) => !l.includes('more steps')).length).toBe(1000);
    expect(text).toContain('"l1000\\n"');
  });
});
