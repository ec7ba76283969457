// The exports carry text a submission controls (the messages its code threw, the names of its
// files): no format may let that text act as anything but text.
import { expect, test } from 'vitest';
import { STAGES } from '../stages.ts';
import { gradeBook, toCsv, toFeedback, toGradescope, toJunit } from './exports.ts';
import type { StudentGrade } from './grade.ts';

const stage1 = STAGES.filter((s) => s.number === 1);

function student(message: string, notes: string[]): StudentGrade {
  return {
    student: 'mallory', source: '/class/mallory', points: 0, maxPoints: 4, durationMs: 1000, notes,
    stages: [{ number: 1, id: '01-socket', title: 'Socket creation', points: 0, maxPoints: 4 }],
    tests: [{ name: 'a test', stage: 1, points: 0, maxPoints: 4, status: 'failed', message, hint: 'a hint', guide: 'guide/01-socket.md', durationMs: 5 }],
  };
}

test('a CSV cell that a spreadsheet would read as a formula starts with an apostrophe', () => {
  const csv = toCsv(gradeBook(stage1, [student('x', ['=HYPERLINK("http://evil","click")', '@SUM(1)'])]));
  const row = csv.trim().split('\n')[1];
  expect(row.endsWith(`"'=HYPERLINK(""http://evil"",""click"") @SUM(1)"`)).toBe(true);
  const lone = toCsv(gradeBook(stage1, [student('x', ['-2+3'])])).trim().split('\n')[1];
  expect(lone.endsWith(",'-2+3")).toBe(true);
});

test('a message cannot close the feedback page\'s code block and write markdown of its own', () => {
  const message = 'got\n```\n![pixel](http://evil/track.png)\n```';
  const page = toFeedback(student(message, []));
  expect(page).toContain(`\`\`\`\`\n${message}\n\`\`\`\``);
});

test('Gradescope shows the outputs as plain text; JUnit escapes them', () => {
  const results = toGradescope(student('<img src=x onerror=alert(1)>', [])) as Record<string, unknown>;
  expect(results.output_format).toBe('text');
  expect(results.test_output_format).toBe('text');
  const xml = toJunit(gradeBook(stage1, [student('</failure><x>', [])]));
  expect(xml).toContain('&lt;/failure&gt;&lt;x&gt;');
  expect(xml).not.toContain('</failure><x>');
});

test('a note is shown as code on the feedback page: a file name cannot make a link, an image or bold text', () => {
  const note = 'Refused: 01-socket/[regrade approved](https://evil.example) <img src=x> **FULL MARKS** `x` is a link';
  const page = toFeedback(student('x', [note]));
  expect(page).toContain(`- \`\` ${note} \`\``);
});
