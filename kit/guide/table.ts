// Guide tables for the terminal: compact rows (one rule under the header, none between rows), a
// neutral header, and columns fitted to the terminal's width, long cells wrapped inside their
// column. cli-table3 (a dependency already, via marked-terminal) draws and wraps them.
import Table from 'cli-table3';
import { stripVTControlCharacters } from 'node:util';
import type { Tokens } from 'marked';
import { chalk } from '../color.ts';

// cli-table3 puts one space of padding on each side of a cell.
const PADDING = 2;
// A column is never squeezed below this, even when the words in it are longer (they break).
const NARROWEST = 6;

/**
 * Column widths (padding included) that fit `width` columns of terminal with their borders.
 * Columns keep their natural width when the table fits; otherwise the widest column gives up a
 * column at a time, first down to its longest word, then further (words then break).
 */
export function fitColumns(natural: number[], longestWord: number[], width: number): number[] {
  const available = width - (natural.length + 1);
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0);
  for (const floor of [(i: number) => Math.min(natural[i], longestWord[i]), (i: number) => Math.min(natural[i], NARROWEST)]) {
    while (total() > available) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) {
        if (widths[i] > floor(i) && (widest < 0 || widths[i] > widths[widest])) widest = i;
      }
      if (widest < 0) break;
      widths[widest]--;
    }
  }
  return widths;
}

/** Columns a text takes on the terminal (the guide has no double-width characters). */
export const visibleWidth = (text: string): number => [...stripVTControlCharacters(text)].length;

const longestWordOf = (text: string): number => Math.max(0, ...text.split(/\s+/).map((w) => visibleWidth(w)));

/** Draws one markdown table; `inline` renders a cell's inline markdown (code, bold) as terminal text. */
export function renderTable(token: Tokens.Table, inline: (tokens: Tokens.TableCell['tokens']) => string, width: number): string {
  // marked-terminal hides ':' behind a placeholder until a block is finished; a table is one.
  const cell = (c: Tokens.TableCell): string => inline(c.tokens).replaceAll('*#COLON|*', ':');
  const head = token.header.map((c) => chalk.bold(cell(c)));
  const rows = token.rows.map((row) => row.map(cell));
  const all = [head, ...rows];
  const natural = head.map((_, i) => Math.max(...all.map((r) => visibleWidth(r[i] ?? ''))) + PADDING);
  const longest = head.map((_, i) => Math.max(...all.map((r) => longestWordOf(r[i] ?? ''))) + PADDING);
  const table = new Table({
    head,
    colWidths: fitColumns(natural, longest, width),
    wordWrap: true,
    // Compact: a rule under the header only. The header is bold in the text's own colour, not red.
    style: { head: [], border: chalk.level === 0 ? [] : ['grey'], compact: true },
  });
  for (const row of rows) table.push(row);
  return `${table.toString()}\n\n`;
}
