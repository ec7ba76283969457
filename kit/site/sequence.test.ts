import { expect, test } from 'vitest';
import { pageHref, slugOf } from './build.ts';
import { parseSequence, sequenceSvg } from './sequence.ts';

test('a sequence block becomes participants, messages, events and notes', () => {
  const seq = parseSequence('title: T\nclient --> server: connects\nserver -> client: Hi\\n\nnote server, client: both');
  expect(seq.title).toBe('T');
  expect(seq.participants).toEqual(['client', 'server']);
  expect(seq.steps).toEqual([
    { kind: 'event', from: 'client', to: 'server', label: 'connects' },
    { kind: 'message', from: 'server', to: 'client', label: 'Hi\\n' },
    { kind: 'note', over: ['server', 'client'], text: 'both' },
  ]);
  const svg = sequenceSvg(seq);
  expect(svg).toContain('>Hi\\n</text>');
  expect(svg).toContain('class="event"');
});

test('a line the format does not know is an error naming the line', () => {
  expect(() => parseSequence('a -> b: x\na => b: y')).toThrow(/line 2: cannot read "a => b: y"/);
  expect(() => parseSequence('note a: alone')).toThrow(/two participants/);
});

test('markdown links and § references become page links and anchors', () => {
  expect(pageHref('guide/03-accept.md')).toBe('03-accept.html');
  expect(pageHref('./protocol.md#exit-codes')).toBe('protocol.html#exit-codes');
  expect(pageHref('https://example.org/x.md')).toBe('https://example.org/x.md');
  expect(slugOf('The `exit` rule, step 2')).toBe('the-exit-rule-step-2');
});
