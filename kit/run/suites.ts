// Runs the graded suites of some stages against one target folder, in a vitest child process
// with its own process group and a watchdog, and turns the records it leaves into scores.
// The child is killed when the whole run is over its limit or when no test has finished for a
// while: a student's infinite loop blocks a test worker, and nothing inside vitest can stop that.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { killGroup } from '../harness/program.ts';
import { TEST_LIMIT_MS } from '../harness/graded.ts';
import { kitRoot, stageId, testFile, type Stage } from '../stages.ts';
import { parseRecords, type DeclaredRecord, type ResultRecord, type RunRecord } from './results.ts';

export type TestStatus = 'passed' | 'failed' | 'unfinished';

export interface TestScore {
  stage: number;
  name: string;
  status: TestStatus;
  points: number;
  earned: number;
  message: string;
  hint: string;
  guide: string;
  durationMs: number;
}

export interface StageScore {
  stage: Stage;
  tests: TestScore[];
  earned: number;
  max: number;
}

export interface RunOptions {
  stages: readonly Stage[];
  /** Folder laid out like `stages/` (absolute). */
  target: string;
  /** Extra environment for the vitest child (e.g. SERVER_CMD). */
  env?: NodeJS.ProcessEnv;
  /** The environment to start from; the grader passes a scrubbed one. Default: process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Run from this copy of the kit instead of the kit itself (the grader's copy has no solutions/). */
  kitDir?: string;
  /** Kill the run after this long in total. */
  limitMs?: number;
  /** Kill the run when no test has finished for this long. */
  stallMs?: number;
  /** Test workers vitest may use (the grader runs several submissions at once and passes 1). */
  workers?: number;
  /** Called with each finished test (for progress output). */
  onResult?: (result: ResultRecord) => void;
}

export interface RunOutcome {
  scores: StageScore[];
  /** Why the run was stopped early, if it was. */
  stopped?: string;
  /** vitest's own stderr when something went wrong outside the tests (capped). */
  runnerError?: string;
}

const STDERR_CAP = 16 * 1024;
const DEFAULT_LIMIT_MS = 120_000;

/**
 * Runs the suites and scores every test the manifest's stages declare. When the watchdog stops a
 * run, the stages that had not started yet run again in a fresh runner: one stage's infinite
 * loop costs that stage's points, not the stages that happened to be queued behind it.
 */
export async function runSuites(opts: RunOptions): Promise<RunOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'classchat-run-'));
  const resultsFile = join(dir, 'results.ndjson');
  writeFileSync(resultsFile, '');
  const deadline = Date.now() + (opts.limitMs ?? DEFAULT_LIMIT_MS);
  try {
    let pending = [...opts.stages];
    let stopped: string | undefined;
    let stderr = '';
    while (pending.length > 0) {
      const run = await runVitest({ ...opts, stages: pending, limitMs: Math.max(1000, deadline - Date.now()) }, resultsFile);
      stderr = run.stderr;
      if (!run.stopped) break;
      stopped ??= run.stopped;
      const started = new Set(parseRecords(readFileSync(resultsFile, 'utf8')).filter((r) => r.type === 'declared').map((r) => r.file));
      const notStarted = pending.filter((s) => !started.has(testPath(s)));
      if (notStarted.length === pending.length || Date.now() >= deadline) break;
      pending = notStarted;
    }
    const records = parseRecords(readFileSync(resultsFile, 'utf8'));
    const scores = opts.stages.map((stage) => scoreStage(stage, records, stopped));
    const declaredAny = records.some((r) => r.type === 'declared');
    return { scores, stopped, runnerError: declaredAny ? undefined : stderr.trim() || undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `tests/01-socket.test.ts`: how the reporter names a stage's file. */
const testPath = (stage: Stage): string => relative(kitRoot(), testFile(stage));

function runVitest(opts: RunOptions, resultsFile: string): Promise<{ stopped?: string; stderr: string }> {
  const limitMs = opts.limitMs ?? DEFAULT_LIMIT_MS;
  const stallMs = opts.stallMs ?? TEST_LIMIT_MS + 10_000;
  const kit = opts.kitDir ?? kitRoot();
  const files = opts.stages.map(testPath);
  const vitest = join(kit, 'node_modules', 'vitest', 'vitest.mjs');
  const reporter = join(kit, 'kit', 'run', 'reporter.ts');
  // --silent: a student's console flood stays in the worker instead of crossing to the runner.
  const args = [vitest, 'run', '--silent', '--reporter', reporter, '--maxWorkers', String(opts.workers ?? 2), ...files];
  const child = spawn(process.execPath, args, {
    cwd: kit,
    env: { ...(opts.baseEnv ?? process.env), ...opts.env, TARGET: opts.target, CLASSCHAT_RESULTS: resultsFile, FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8');
  });

  return new Promise((resolve) => {
    let stopped: string | undefined;
    let seen = 0;
    let lastProgress = Date.now();
    const started = Date.now();
    const stop = (why: string) => {
      stopped ??= why;
      killGroup(child.pid, 'SIGKILL');
    };
    // Poll the results file: progress is a new record, and new results go to onResult.
    const watchdog = setInterval(() => {
      const records = parseRecords(readFileSync(resultsFile, 'utf8'));
      if (records.length > seen) {
        for (const r of records.slice(seen)) if (r.type === 'result') opts.onResult?.(r);
        seen = records.length;
        lastProgress = Date.now();
      }
      if (Date.now() - started > limitMs) stop(`the run took longer than ${limitMs / 1000} s and was stopped`);
      else if (Date.now() - lastProgress > stallMs) stop(`no test finished for ${stallMs / 1000} s, so the run was stopped (an infinite loop blocks everything)`);
    }, 200);
    child.once('exit', () => {
      clearInterval(watchdog);
      const records = parseRecords(readFileSync(resultsFile, 'utf8'));
      for (const r of records.slice(seen)) if (r.type === 'result') opts.onResult?.(r);
      // Anything the suites started and left behind in the group goes too.
      killGroup(child.pid, 'SIGKILL');
      resolve({ stopped, stderr });
    });
  });
}

function scoreStage(stage: Stage, records: RunRecord[], stopped: string | undefined): StageScore {
  const file = testPath(stage);
  const declared = records.filter((r): r is DeclaredRecord => r.type === 'declared' && r.file === file);
  const results = new Map(records.filter((r): r is ResultRecord => r.type === 'result' && r.file === file).map((r) => [r.name, r]));
  const fileError = records.find((r) => r.type === 'file-error' && r.file === file);

  if (declared.length === 0) {
    const why = fileError?.type === 'file-error' ? fileError.message : stopped ?? 'the suite did not run';
    const test: TestScore = {
      stage: stage.number, name: `stage ${stageId(stage)} could not be graded`, status: 'unfinished', points: stage.points, earned: 0,
      message: why, hint: 'Check that your files load: run `make stage-' + stage.number + '` and read the first error.', guide: '', durationMs: 0,
    };
    return { stage, tests: [test], earned: 0, max: stage.points };
  }

  const tests = declared.map((d): TestScore => {
    const r = results.get(d.name);
    const status: TestStatus = r ? (r.passed ? 'passed' : 'failed') : 'unfinished';
    const message = r ? r.message : `This test did not finish: ${stopped ?? 'the run ended before it'}.`;
    return { stage: stage.number, name: d.name, status, points: d.points, earned: status === 'passed' ? d.points : 0, message, hint: d.hint, guide: d.guide, durationMs: r?.durationMs ?? 0 };
  });
  const earned = tests.reduce((sum, t) => sum + t.earned, 0);
  return { stage, tests, earned, max: tests.reduce((sum, t) => sum + t.points, 0) };
}
