// Writes the grades in every format an instructor asked for: grades.json (the kit's own format,
// which the others are derived from), grades.csv, feedback/<student>.md, Gradescope's
// gradescope/<student>/results.json, and junit.xml.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { showPoints } from '../report/format.ts';
import type { Stage } from '../stages.ts';
import { stageId } from '../stages.ts';
import type { StudentGrade, TestGrade } from './grade.ts';

export interface GradeBook {
  gradedAt: string;
  stages: Array<{ number: number; id: string; title: string; maxPoints: number }>;
  maxPoints: number;
  students: StudentGrade[];
}

export function gradeBook(stages: readonly Stage[], students: StudentGrade[]): GradeBook {
  return {
    gradedAt: new Date().toISOString(),
    stages: stages.map((s) => ({ number: s.number, id: stageId(s), title: s.title, maxPoints: s.points })),
    maxPoints: stages.reduce((sum, s) => sum + s.points, 0),
    students,
  };
}

/** Writes every export into `out`; returns the paths written. */
export function writeExports(book: GradeBook, out: string): string[] {
  mkdirSync(join(out, 'feedback'), { recursive: true });
  const written: string[] = [];
  const put = (rel: string, text: string) => {
    const path = join(out, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
  };
  put('grades.json', `${JSON.stringify(book, null, 2)}\n`);
  put('grades.csv', toCsv(book));
  put('junit.xml', toJunit(book));
  for (const s of book.students) {
    put(join('feedback', `${s.student}.md`), toFeedback(s));
    put(join('gradescope', s.student, 'results.json'), `${JSON.stringify(toGradescope(s), null, 2)}\n`);
  }
  return written;
}

/**
 * One CSV cell. A text that a spreadsheet would take for a formula (=, +, -, @ and the characters
 * that hide them first) gets a leading apostrophe, so a note quoting a submission cannot run one.
 */
const csvCell = (v: string | number): string => {
  const text = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function toCsv(book: GradeBook): string {
  const header = ['student', ...book.stages.map((s) => s.id), 'total', 'max', 'failed_tests', 'notes'];
  const rows = book.students.map((s) => [
    s.student,
    ...book.stages.map((st) => showPoints(s.stages.find((g) => g.number === st.number)?.points ?? 0)),
    showPoints(s.points),
    showPoints(s.maxPoints),
    s.tests.filter((t) => t.status !== 'passed').length,
    s.notes.join(' '),
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export function toFeedback(s: StudentGrade): string {
  const lines = [`# ClassChat Lab: feedback for ${s.student}`, '', `**${showPoints(s.points)} / ${showPoints(s.maxPoints)} points**`, ''];
  lines.push('| Stage | Points |', '|---|---|');
  for (const st of s.stages) lines.push(`| ${st.id} ${st.title} | ${showPoints(st.points)} / ${showPoints(st.maxPoints)} |`);
  lines.push('');
  // Notes quote the submission (its file names): as code, so no link, image or HTML in them renders.
  if (s.notes.length) lines.push('## Notes', '', ...s.notes.map((n) => `- ${codeSpan(n)}`), '');
  const failed = s.tests.filter((t) => t.status !== 'passed');
  if (failed.length === 0) lines.push('Every test passed.');
  else lines.push('## What to fix', '');
  for (const t of failed) {
    const message = t.message || '(no message)';
    const fence = ticksAround(message, 3);
    lines.push(`### Stage ${t.stage}: ${t.name} (0 / ${showPoints(t.maxPoints)})`, '', fence, message, fence, '');
    if (t.hint) lines.push(`**Hint:** ${t.hint}`, '');
    if (t.guide) lines.push(`**Read:** ${t.guide}`, '');
  }
  return lines.join('\n');
}

/** A run of backticks longer than any inside `text` (at least `min`): text cannot close it early. */
const ticksAround = (text: string, min: number): string => '`'.repeat(Math.max(min, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));

/** `text` as a markdown code span, whatever backticks it holds. */
function codeSpan(text: string): string {
  const ticks = ticksAround(text, 1);
  return `${ticks} ${text} ${ticks}`;
}

/** Gradescope's autograder results format (score, tests[] with name, score, max_score, status, output, visibility). */
export function toGradescope(s: StudentGrade): object {
  return {
    score: s.points,
    execution_time: Math.round(s.durationMs / 1000),
    output: s.notes.join('\n') || `${showPoints(s.points)} / ${showPoints(s.maxPoints)} points`,
    // Plain text: what a submission's code printed or threw is shown, never rendered as HTML.
    output_format: 'text',
    test_output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: s.tests.map((t) => ({
      name: `Stage ${t.stage}: ${t.name}`,
      number: String(t.stage),
      score: t.points,
      max_score: t.maxPoints,
      status: t.status === 'passed' ? 'passed' : 'failed',
      output: gradescopeOutput(t),
      visibility: 'visible',
    })),
  };
}

function gradescopeOutput(t: TestGrade): string {
  if (t.status === 'passed') return '';
  return [t.message, t.hint && `Hint: ${t.hint}`, t.guide && `Read: ${t.guide}`].filter(Boolean).join('\n');
}

const xml = (text: string): string =>
  text
    // XML 1.0 cannot carry most control characters at all, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function toJunit(book: GradeBook): string {
  const suites = book.students.map((s) => {
    const failures = s.tests.filter((t) => t.status !== 'passed').length;
    const cases = s.tests.map((t) => {
      const open = `    <testcase classname="${xml(`${s.student}.stage-${t.stage}`)}" name="${xml(`${t.name} [${showPoints(t.maxPoints)} pt]`)}" time="${(t.durationMs / 1000).toFixed(3)}"`;
      if (t.status === 'passed') return `${open}/>`;
      const body = xml([t.message, t.hint && `Hint: ${t.hint}`].filter(Boolean).join('\n'));
      return `${open}>\n      <failure message="${xml(t.message.split('\n')[0] ?? '')}">${body}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(s.student)}" tests="${s.tests.length}" failures="${failures}" time="${(s.durationMs / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ClassChat Lab">\n${suites.join('\n')}\n</testsuites>\n`;
}
