// One submission, Gradescope's way: grade the folder and write results.json where asked.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STAGES } from '../stages.ts';
import { toGradescope } from './exports.ts';
import { gradeAll } from './grade.ts';

export async function autograde(submission: string, resultsFile: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'classchat-autograde-'));
  try {
    // The grader takes a folder of submissions; this one is the only entry.
    cpSync(submission, join(dir, 'submission'), { recursive: true });
    const [grade] = await gradeAll({ submissions: dir, stages: STAGES, jobs: 1 });
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(toGradescope(grade), null, 2)}\n`);
    process.stdout.write(`Graded: ${grade.points} / ${grade.maxPoints} points. Wrote ${resultsFile}.\n`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
