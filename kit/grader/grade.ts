// Grades a folder of submissions: each one unpacked, copied into its own workspace, run through
// the kit's suites with limits, swept of leftover processes, and scored. JOBS run at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSuites, type StageScore, type TestStatus } from '../run/suites.ts';
import type { Stage } from '../stages.ts';
import { stageId } from '../stages.ts';
import { compilePrograms } from './compile.ts';
import { aborted } from '../run/abort.ts';
import { makeGradingKit } from './kit-copy.ts';
import { makeWorkspace, removeWorkspace, scrubbedEnv } from './isolate.ts';
import { findStagesRoot, listSubmissions, unpack, type Submission } from './submissions.ts';

export interface TestGrade {
  name: string;
  stage: number;
  points: number;
  maxPoints: number;
  status: TestStatus;
  message: string;
  hint: string;
  guide: string;
  durationMs: number;
}

export interface StageGrade {
  number: number;
  id: string;
  title: string;
  points: number;
  maxPoints: number;
}

export interface StudentGrade {
  student: string;
  source: string;
  points: number;
  maxPoints: number;
  stages: StageGrade[];
  tests: TestGrade[];
  /** What went wrong around the tests: no stage folders, the run stopped, processes swept. */
  notes: string[];
  durationMs: number;
}

export interface GradeOptions {
  submissions: string;
  stages: readonly Stage[];
  jobs?: number;
  /** Per-submission limit; the per-test limit is the suites' own. */
  limitMs?: number;
  /** Stop a run when no test has finished for this long (default: the runner's). */
  stallMs?: number;
  onProgress?: (done: number, total: number, running: number) => void;
}

export const DEFAULT_LIMIT_MS = 180_000;

export async function gradeAll(opts: GradeOptions): Promise<StudentGrade[]> {
  const subs = listSubmissions(opts.submissions);
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const grades: StudentGrade[] = new Array(subs.length);
  let next = 0;
  let done = 0;
  let running = 0;
  const worker = async (): Promise<void> => {
    while (next < subs.length && !aborted()) {
      const i = next++;
      running++;
      opts.onProgress?.(done, subs.length, running);
      grades[i] = await gradeOne(subs[i], opts);
      running--;
      done++;
      opts.onProgress?.(done, subs.length, running);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, subs.length) }, worker));
  // Interrupted: only the submissions that were graded.
  return grades.filter(Boolean);
}

async function gradeOne(sub: Submission, opts: GradeOptions): Promise<StudentGrade> {
  const started = Date.now();
  const notes: string[] = [];
  let stagesRoot: string | undefined;
  // Archives are unpacked in a scratch folder; only their stage folders are copied on.
  const unpackDir = mkdtempSync(join(tmpdir(), `classchat-grade-${process.pid}-`));
  try {
    stagesRoot = findStagesRoot(unpack(sub, join(unpackDir, 'unpacked')));
    if (!stagesRoot) notes.push('No stage folders (01-socket/, …) were found in the submission.');
  } catch (err) {
    notes.push(`The submission could not be unpacked: ${(err as Error).message.split('\n')[0]}`);
  }
  const ws = makeWorkspace(stagesRoot);
  rmSync(unpackDir, { recursive: true, force: true });
  // A copy of the suites per submission: one student's code cannot change the next one's tests.
  const kit = makeGradingKit();
  try {
    const outcome = await runSuites({
      stages: opts.stages,
      target: ws.stages,
      baseEnv: scrubbedEnv(ws),
      env: compilePrograms(opts.stages, ws.stages, join(ws.root, 'bin')),
      kitDir: kit.dir,
      workers: 1,
      limitMs: opts.limitMs ?? DEFAULT_LIMIT_MS,
      stallMs: opts.stallMs,
      onSwept: (n) => notes.push(`${n} process${n === 1 ? '' : 'es'} left running by the submission ${n === 1 ? 'was' : 'were'} killed.`),
    });
    if (outcome.stopped) notes.push(`The run was stopped: ${outcome.stopped}.`);
    if (outcome.runnerError) notes.push(`The test runner failed: ${outcome.runnerError.split('\n').slice(0, 3).join(' ')}`);
    return toGrade(sub, outcome.scores, notes, started);
  } finally {
    kit.remove();
    removeWorkspace(ws);
  }
}

function toGrade(sub: Submission, scores: StageScore[], notes: string[], started: number): StudentGrade {
  const stages = scores.map((sc): StageGrade => ({ number: sc.stage.number, id: stageId(sc.stage), title: sc.stage.title, points: sc.earned, maxPoints: sc.max }));
  const tests = scores.flatMap((sc) =>
    sc.tests.map((t): TestGrade => ({
      name: t.name, stage: t.stage, points: t.earned, maxPoints: t.points, status: t.status,
      message: t.message, hint: t.hint, guide: t.guide, durationMs: t.durationMs,
    })),
  );
  return {
    student: sub.student,
    source: sub.source,
    points: stages.reduce((s, g) => s + g.points, 0),
    maxPoints: stages.reduce((s, g) => s + g.maxPoints, 0),
    stages,
    tests,
    notes,
    durationMs: Date.now() - started,
  };
}
