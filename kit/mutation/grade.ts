// Grades one mutant or variant: a private copy of solutions/ with its edits, the stage's suite run
// against it through the kit's own runner, and the points each test kept. A few run at once.
import { join } from 'node:path';
import { runSuites, type TestScore } from '../run/suites.ts';
import { aborted } from '../run/abort.ts';
import { kitRoot, stageId, type Stage } from '../stages.ts';
import { compilePrograms } from '../grader/compile.ts';
import { mutatedCopy } from './edits.ts';
import type { Edit } from './types.ts';

export interface Job {
  stage: Stage;
  kind: 'mutant' | 'variant';
  name: string;
  edits: readonly Edit[];
}

export interface Graded {
  job: Job;
  earned: number;
  max: number;
  /** Tests that did not keep their points. */
  lost: TestScore[];
  /** Set when the edits could not be applied or the suite could not score the stage. */
  broken?: string;
  durationMs: number;
}

const RUN_LIMIT_MS = 90_000;

// A grader's variables would replace the edited programs with someone else's.
function scrubbedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['SERVER_CMD', 'CLIENT_CMD', 'CLASSCHAT_PROGRAMS', 'CLASSCHAT_HOST', 'CLASSCHAT_PORT', 'TARGET']) delete env[name];
  return env;
}

/**
 * A mutant's run stops at the first test that catches it, unless `full` (make mutation FULL=1):
 * that it loses points is the verdict, and a broken program costs a silence window per test.
 * A variant always runs whole: every test must pass.
 */
export async function gradeJob(job: Job, full = false): Promise<Graded> {
  const started = Date.now();
  const done = (rest: Omit<Graded, 'job' | 'durationMs'>): Graded => ({ job, ...rest, durationMs: Date.now() - started });
  let copy: ReturnType<typeof mutatedCopy>;
  try {
    copy = mutatedCopy(join(kitRoot(), 'solutions'), stageId(job.stage), job.edits);
  } catch (err) {
    return done({ earned: 0, max: job.stage.points, lost: [], broken: `its edits do not apply: ${(err as Error).message}` });
  }
  try {
    // The programs bundled once, as the grader does: a suite starts them dozens of times.
    const env = await compilePrograms([job.stage], copy.dir, join(copy.dir, '.bin'));
    const outcome = await runSuites({ stages: [job.stage], target: copy.dir, workers: 1, limitMs: RUN_LIMIT_MS, baseEnv: scrubbedEnv(), env, bail: job.kind === 'mutant' && !full, moduleCache: true });
    const score = outcome.scores[0];
    // With bail, the tests after the catch did not run: only the ones that failed are named.
    const lost = score.tests.filter((t) => t.status === 'failed' || (t.earned < t.points && (full || job.kind === 'variant')));
    const unscored = score.tests.length === 1 && /could not be graded/.test(score.tests[0].name);
    const broken = unscored ? `the stage could not be graded: ${score.tests[0].message.split('\n')[0]}` : undefined;
    return done({ earned: score.earned, max: score.max, lost, broken });
  } finally {
    copy.dispose();
  }
}

/** Runs `jobs` with at most `parallel` at a time, calling `onDone` as each finishes; keeps their order. */
export async function gradeAll(jobs: readonly Job[], parallel: number, onDone: (g: Graded) => void, full = false): Promise<Graded[]> {
  const results: Graded[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !aborted()) {
      const i = next++;
      results[i] = await gradeJob(jobs[i], full);
      onDone(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return results.filter((r) => r !== undefined);
}
