// Guide tables in the terminal: fitted to the width, compact, a neutral header, wrapped cells.
import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { chalk } from '../color.ts';
import { guideFile, STAGES } from '../stages.ts';
import { renderMarkdown } from './render.ts';
import { fitColumns, visibleWidth } from './table.ts';

const level = chalk.level;
afterEach(() => {
  chalk.level = level;
});

test('columns keep their natural width when they fit, and shrink the widest first when not', () => {
  expect(fitColumns([10, 20], [5, 5], 80)).toEqual([10, 20]);
  // 3 borders + 40 + 60 = 103 > 80: the 60 gives way first, down to the 40's width, then both.
  const fitted = fitColumns([40, 60], [10, 12], 80);
  expect(fitted.reduce((a, b) => a + b, 0) + 3).toBe(80);
  expect(Math.abs(fitted[0] - fitted[1])).toBeLessThanOrEqual(1);
  // Never below a column's longest word while something else can give.
  expect(fitColumns([8, 70], [8, 10], 40)).toEqual([8, 29]);
  // Too narrow even for the words: words break, columns stay at least 6 wide.
  expect(fitColumns([30, 30, 30], [25, 25, 25], 20).every((w) => w >= 6)).toBe(true);
});

const tablesOf = (text: string): string[][] => {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of stripVTControlCharacters(text).split('\n')) {
    if (line.startsWith('┌')) tables.push((current = []));
    if (current) current.push(line);
    if (line.startsWith('└')) current = undefined;
  }
  return tables;
};

test.each([80, 100, 60])('every table of every chapter fits %i columns, with one rule under its header only', (width) => {
  chalk.level = 1;
  const chapters = [...STAGES.map(guideFile), guideFile(STAGES[0]).replace(/0\d-[a-z]+\.md$/, 'protocol.md')];
  let seen = 0;
  for (const file of chapters) {
    const out = renderMarkdown(readFileSync(file, 'utf8'), width);
    for (const table of tablesOf(out)) {
      seen++;
      for (const line of table) expect(visibleWidth(line), `${file}: ${line}`).toBeLessThanOrEqual(width);
      expect(table.filter((l) => l.startsWith('├')), file).toHaveLength(1);
      expect(table.join('\n')).not.toContain('*#COLON|*');
    }
  }
  expect(seen).toBeGreaterThan(3);
});

test("chapter 3's first table at 80 columns: whole rows, long cells wrapped in their column, a header that is not red", () => {
  chalk.level = 1;
  const out = renderMarkdown(readFileSync(guideFile(STAGES[2]), 'utf8'), 80);
  const raw = out.split('\n');
  const head = raw.find((l) => stripVTControlCharacters(l).includes('C / Python'));
  expect(head).toBeDefined();
  expect(head).not.toMatch(/\u001b\[31m/); // red
  expect(head).toMatch(/\u001b\[1m/); // bold instead
  const [first] = tablesOf(out);
  // Every line of the table has the same three column borders at the same places.
  const borders = (l: string) => [...l].flatMap((c, i) => ('│┼├┤┬┴┌┐└┘'.includes(c) ? [i] : []));
  const expected = borders(first[0]);
  for (const line of first) expect(borders(line)).toEqual(expected);
  // A cell too long for its column goes on below, inside the same column.
  expect(first.join('\n')).toMatch(/│ conn, addr = server\.accept\(\)\s+│ server\.on\('connection', \(client\) =>\s+│\n│ \(blocks\)\s+│ …\), once per client/);
});
