// One submission, Gradescope's way: grade the folder and write results.json where asked.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STAGES } from '../stages.ts';
import { toGradescope } from './exports.ts';
import { gradeAll } from './grade.ts';
import { sandboxUnavailable } from './sandbox.ts';

export async function autograde(submission: string, resultsFile: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'classchat-autograde-'));
  try {
    // The grader takes a folder of submissions; this one is the only entry.
    cpSync(submission, join(dir, 'submission'), { recursive: true });
    // Gradescope's container holds one submission; where it forbids the sandbox inside it, the
    // container is the only boundary and the result says it is not tamper-proof.
    const why = sandboxUnavailable();
    if (why) process.stderr.write(`No sandbox inside this container (${why}): grading without it.\n`);
    const [grade] = await gradeAll({ submissions: dir, stages: STAGES, jobs: 1, unsandboxed: why !== undefined });
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(toGradescope(grade), null, 2)}\n`);
    process.stdout.write(`Graded: ${grade.points} / ${grade.maxPoints} points. Wrote ${resultsFile}.\n`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
