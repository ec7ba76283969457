// The terminal summary: one row per student, one column per stage, the total and the failures.
// cli-table3 comes with marked-terminal already; it draws the table and measures wide text.
import Table from 'cli-table3';
import { chalk } from '../color.ts';
import { showPoints } from '../report/format.ts';
import type { GradeBook } from './exports.ts';

export function summaryTable(book: GradeBook): string {
  const plain = chalk.level === 0;
  const table = new Table({
    head: ['Student', ...book.stages.map((s) => `S${s.number}/${showPoints(s.maxPoints)}`), `Total/${showPoints(book.maxPoints)}`, 'Failed', 'Notes'],
    // One rule under the header only: a class of 100 reads better without lines between rows.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: plain ? { head: [], border: [] } : { head: ['cyan'], border: ['grey'] },
    colAligns: ['left', ...book.stages.map(() => 'right' as const), 'right', 'right', 'left'],
  });
  for (const s of book.students) {
    const full = s.points === s.maxPoints;
    table.push([
      s.student,
      ...book.stages.map((st) => showPoints(s.stages.find((g) => g.number === st.number)?.points ?? 0)),
      full ? chalk.green(showPoints(s.points)) : showPoints(s.points),
      String(s.tests.filter((t) => t.status !== 'passed').length),
      s.notes.map((n) => (n.length > 60 ? `${n.slice(0, 59)}…` : n)).join(' '),
    ]);
  }
  return table.toString();
}

/** A one-line progress bar redrawn in place (TTY only). */
export function progressLine(done: number, total: number, running: number): string {
  const width = 24;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `\r  grading ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} (${running} running) `;
}
