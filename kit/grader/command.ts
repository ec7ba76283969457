// `make grade SUBMISSIONS=dir`: grade, print the table, write the exports.
import { resolve } from 'node:path';
import { chalk } from '../color.ts';
import { aborted } from '../run/abort.ts';
import { shortPath } from '../harness/target.ts';
import type { Stage } from '../stages.ts';
import { gradeBook, writeExports } from './exports.ts';
import { gradeAll, SandboxUnavailable, UNSANDBOXED_NOTE, type StudentGrade } from './grade.ts';
import { progressLine, summaryTable } from './table.ts';

export interface GradeCommand {
  submissions: string;
  out: string;
  stages: Stage[];
  jobs?: number;
  limitMs?: number;
  unsandboxed?: boolean;
}

/** Exit code 0 when every submission was graded (whatever the scores), 1 if none were found. */
export async function grade(cmd: GradeCommand): Promise<number> {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  let students: StudentGrade[];
  try {
    students = await gradeAll({
      submissions: resolve(cmd.submissions),
      stages: cmd.stages,
      jobs: cmd.jobs,
      limitMs: cmd.limitMs,
      unsandboxed: cmd.unsandboxed,
      // Without a TTY (CI logs, pipes) a redrawn bar is noise: the table at the end says it all.
      onProgress: tty ? (done, total, running) => process.stderr.write(progressLine(done, total, running)) : undefined,
    });
  } catch (err) {
    if (!(err instanceof SandboxUnavailable)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  if (tty) process.stderr.write('\n');
  if (aborted()) {
    process.stderr.write("Interrupted: no grades written. Every process the run had started was stopped.\n");
    return 130;
  }
  if (students.length === 0) {
    process.stderr.write(`No submissions in ${cmd.submissions}: each entry should be a folder, .zip or .tar.gz.\n`);
    return 1;
  }
  const book = gradeBook(cmd.stages, students);
  if (cmd.unsandboxed) process.stdout.write(`${chalk.yellow(UNSANDBOXED_NOTE)}\n`);
  process.stdout.write(`${summaryTable(book)}\n`);
  const written = writeExports(book, resolve(cmd.out));
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(`${chalk.bold(String(students.length))} submissions graded in ${secs.toFixed(1)} s. Wrote ${written.length} files to ${shortPath(resolve(cmd.out))}/ ` +
    `(grades.json, grades.csv, junit.xml, feedback/, gradescope/).\n`);
  return 0;
}
