// How text from a submission is shown: every invisible or terminal-driving character spelled out.
import { expect, test } from 'vitest';
import { printable, showText } from './show.ts';

test('printable() spells out C0 and C1 controls and DEL, keeps line breaks, tabs and other text', () => {
  expect(printable('a\u001b]0;owned\u0007b')).toBe('a\\x1b]0;owned\\x07b');
  expect(printable('csi\u009b2Jdel\u007f')).toBe('csi\\x9b2Jdel\\x7f');
  expect(printable('two\nlines\tand é ✓')).toBe('two\nlines\tand é ✓');
  expect(printable('cr\r')).toBe('cr\\x0d');
});

test('printable() spells out bidirectional overrides, and line breaks in one-line text', () => {
  expect(printable('a\u202eevil\u2066b')).toBe('a\\u{202e}evil\\u{2066}b');
  expect(printable('note\n**5 of 5 points**', false)).toBe('note\\n**5 of 5 points**');
  expect(printable('line\u2028sep', false)).toBe('line\\u{2028}sep');
});

test('showText() quotes and escapes, naming the usual ones by their letters', () => {
  expect(showText('Hi\r\n')).toBe('"Hi\\r\\n"');
  expect(showText('\u001b[2J"\\')).toBe('"\\x1b[2J\\"\\\\"');
  expect(showText('abcdef', 3)).toBe('"abc"… (3 more characters)');
});
