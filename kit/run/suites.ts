// Runs the graded suites of some stages against one target folder, in a vitest child process
// with its own process group and a watchdog, and turns the records it leaves into scores.
// The child is killed when the whole run is over its limit or when no test has finished for a
// while: a student's infinite loop blocks a test worker, and nothing inside vitest can stop that.
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { killGroup } from '../harness/program.ts';
import { patient, slowness, slownessWithout, TEST_LIMIT_MS } from '../harness/patience.ts';
import { runnableTasks, sandboxSpec } from '../grader/sandbox.ts';
import { kitRoot, stageId, testFile, type Stage } from '../stages.ts';
import { aborted, onAbort } from './abort.ts';
import { groupCpuMs } from './cpu.ts';
import { parseRecord, RESULTS_FD_VAR, type DeclaredRecord, type FileEndRecord, type ResultRecord, type RunRecord } from './results.ts';
import { newRunId, RUN_ID_VAR, sweep } from './sweep.ts';

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
  /** Why the stage's records cannot be trusted (then it scores 0). */
  tampered?: string;
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
  /** Kill the run after this long in total (stretched with the load, less the run's own). */
  limitMs?: number;
  /** Kill the run when no test has finished for this long. */
  stallMs?: number;
  /** Test workers vitest may use (the grader runs several submissions at once and passes 1). */
  workers?: number;
  /** Stop at the first failed test (the mutation check only needs to know that a mutant is caught). */
  bail?: boolean;
  /**
   * Keep vitest's transformed kit modules on disk between runs (node_modules/.experimental-vitest-cache):
   * about 0.1 s of every `make stage-N`, which a student runs after each save, and a few tenths of
   * a CPU second of every run of the mutation table. Runs side by side may share it: vitest writes
   * each entry to a temporary file and renames it into place. (The grader sets its own folder.)
   */
  moduleCache?: boolean;
  /** Called with each finished test (for progress output). */
  onResult?: (result: ResultRecord) => void;
  /** Called with every record, declared tests included (for output that streams per stage). */
  onRecord?: (record: RunRecord) => void;
  /** Called when processes the run left behind were killed, with how many. */
  onSwept?: (count: number) => void;
  /** vitest config file to use (the grader's; default: the kit's own). */
  config?: string;
  /** Wraps the command that starts vitest (the grader gives it a network namespace of its own). */
  wrap?: (command: string, args: string[]) => { command: string; args: string[] };
}

export interface RunOutcome {
  scores: StageScore[];
  /** Why the run was stopped early, if it was. */
  stopped?: string;
  /** vitest's own stderr when something went wrong outside the tests (capped). */
  runnerError?: string;
}

const STDERR_CAP = 16 * 1024;
const DEFAULT_LIMIT_MS = 240_000;
/** CPU one test process may burn without any test finishing: only an infinite loop gets there. */
const STALL_CPU_MS = 10_000;

/**
 * Runs the suites and scores every test the manifest's stages declare. When the watchdog stops a
 * run, the stages that had not started yet run again in a fresh runner: one stage's infinite
 * loop costs that stage's points, not the stages that happened to be queued behind it.
 */
export async function runSuites(opts: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const limitMs = opts.limitMs ?? DEFAULT_LIMIT_MS;
  // The run's limit stretches with the machine's load, measured when it is checked and never
  // shrinking again; under the grader, less the load the submission's own sandboxed processes make
  // (one that keeps a hundred busy loops running must not buy itself eight times as long).
  const spec = sandboxSpec({ ...opts.baseEnv, ...opts.env });
  let stretch = 1;
  let measured = 0;
  const limit = (): number => {
    // Once a second at most: counting a sandbox's threads reads /proc for each of them.
    if (Date.now() - measured >= 1000) {
      measured = Date.now();
      stretch = Math.max(stretch, spec ? slownessWithout(runnableTasks(spec)) : slowness());
    }
    return Math.round(limitMs * stretch);
  };
  const left = (): number => started + limit() - Date.now();
  const records: RunRecord[] = [];
  let pending = [...opts.stages];
  let stopped: string | undefined;
  let stderr = '';
  while (pending.length > 0 && !aborted()) {
    const run = await runVitest({ ...opts, stages: pending }, records, { left, limit });
    stderr = run.stderr;
    if (!run.stopped) break;
    stopped ??= run.stopped;
    const started = new Set(records.filter((r) => r.type === 'declared').map((r) => r.file));
    const notStarted = pending.filter((s) => !started.has(testPath(s)));
    if (notStarted.length === pending.length || left() <= 0) break;
    pending = notStarted;
  }
  if (aborted()) stopped ??= `the run was interrupted (${aborted()})`;
  const scores = opts.stages.map((stage) => scoreStage(stage, records, stopped));
  const declaredAny = records.some((r) => r.type === 'declared');
  return { scores, stopped, runnerError: declaredAny ? undefined : stderr.trim() || undefined };
}

/** `tests/01-socket.test.ts`: how the reporter names a stage's file. */
export const testPath = (stage: Stage): string => relative(kitRoot(), testFile(stage));

/**
 * One vitest child: its own process group, the records of its reporter on file descriptor 3 (a
 * pipe only the runner holds, not a file or a variable a test worker could find), a watchdog,
 * and a sweep of everything the run started once it ends.
 */
/** The whole run's time: what is left of it, and its length, both as the load is now. */
interface RunClock {
  left(): number;
  limit(): number;
}

function runVitest(opts: RunOptions, records: RunRecord[], clock: RunClock): Promise<{ stopped?: string; stderr: string }> {
  const stallMs = opts.stallMs ?? TEST_LIMIT_MS + 10_000;
  const kit = opts.kitDir ?? kitRoot();
  const files = opts.stages.map(testPath);
  const vitest = join(kit, 'node_modules', 'vitest', 'vitest.mjs');
  const reporter = join(kit, 'kit', 'run', 'reporter.ts');
  const runId = newRunId();
  // --silent: a student's console flood stays in the worker instead of crossing to the runner.
  const config = opts.config ? ['--config', opts.config] : [];
  const args = [vitest, 'run', ...config, '--silent', '--reporter', reporter, '--maxWorkers', String(opts.workers ?? 2), ...(opts.bail ? ['--bail=1'] : []), ...(opts.moduleCache ? ['--experimental.fsModuleCache'] : []), ...files];
  const start = opts.wrap?.(process.execPath, args) ?? { command: process.execPath, args };
  const child = spawn(start.command, start.args, {
    cwd: kit,
    env: { ...(opts.baseEnv ?? process.env), ...opts.env, TARGET: opts.target, [RESULTS_FD_VAR]: '3', [RUN_ID_VAR]: runId, FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8');
  });
  let lastProgress = Date.now();
  const lines = new LineBuffer((line) => {
    const record = parseRecord(line);
    if (!record) return;
    records.push(record);
    lastProgress = Date.now();
    if (record.type === 'result') opts.onResult?.(record);
    opts.onRecord?.(record);
  });
  (child.stdio[3] as Readable).on('data', (chunk: Buffer) => lines.push(chunk));

  return new Promise((resolve) => {
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      killGroup(child.pid, 'SIGKILL');
    };
    const unregister = onAbort(() => stop('interrupted'));
    // A blocked event loop spins a process at full CPU; a slow test on a busy machine waits and
    // uses none. So the stall check counts CPU seconds (the same on any machine), with a
    // wall-clock limit behind it that stretches with the load like every other deadline.
    let cpuAtProgress: Map<number, number> | undefined;
    let progressSeen = lastProgress;
    let spinning = 0;
    let ticks = 0;
    const watchdog = setInterval(() => {
      if (++ticks % 5 === 0 && child.pid) {
        const cpu = groupCpuMs(child.pid);
        if (!cpuAtProgress || progressSeen !== lastProgress) {
          cpuAtProgress = cpu;
          progressSeen = lastProgress;
        }
        spinning = mostUsedSince(cpuAtProgress, cpu);
      }
      if (clock.left() <= 0) stop(`the run took longer than ${Math.round(clock.limit() / 1000)} s and was stopped`);
      else if (spinning > STALL_CPU_MS) stop(`a test process spun the CPU for ${Math.round(spinning / 1000)} s without a test finishing, so the run was stopped (an infinite loop blocks everything)`);
      else if (Date.now() - lastProgress > patient(stallMs)) stop(`no test finished for ${Math.round(patient(stallMs) / 1000)} s, so the run was stopped (an infinite loop blocks everything)`);
    }, 200);
    // 'close' comes once vitest's pipes are closed too (its last records are read by then); a
    // grandchild that keeps a pipe open must not hold the run, so 'exit' plus a moment will do.
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      unregister();
      // Anything the suites started and left behind goes too: the group, then whatever left it.
      killGroup(child.pid, 'SIGKILL');
      const swept = sweep({ runId, privateDir: opts.kitDir });
      if (swept > 0) opts.onSwept?.(swept);
      resolve({ stopped, stderr });
    };
    child.once('close', finish);
    child.once('exit', () => setTimeout(finish, 500).unref());
  });
}

/** The most CPU any one process used between two readings. */
function mostUsedSince(before: Map<number, number>, now: Map<number, number>): number {
  let most = 0;
  for (const [pid, ms] of now) most = Math.max(most, ms - (before.get(pid) ?? 0));
  return most;
}

/** Splits a byte stream into lines (the reporter's records are ASCII-safe JSON). */
class LineBuffer {
  private partial = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }
}

/** Scores one stage from a run's records (exported for output that streams per stage). */
export function scoreStage(stage: Stage, records: RunRecord[], stopped: string | undefined): StageScore {
  const file = testPath(stage);
  const declared = records.filter((r): r is DeclaredRecord => r.type === 'declared' && r.file === file);
  const results = records.filter((r): r is ResultRecord => r.type === 'result' && r.file === file);
  const fileError = records.find((r) => r.type === 'file-error' && r.file === file);
  const declaredPoints = declared.reduce((sum, d) => sum + d.points, 0);

  const end = records.find((r): r is FileEndRecord => r.type === 'file-end' && r.file === file);
  // After a file error (a hook that failed), tests may end without a result of their own.
  const tampered = tamperedWith(declared, results, fileError ? undefined : end);
  if (declared.length === 0 || declaredPoints !== stage.points || tampered) {
    const why = tampered
      ? `the test records of this stage were tampered with (${tampered}); the stage scores nothing`
      : declared.length > 0
        ? `the suite declared ${declaredPoints} points where the manifest says ${stage.points}; the stage cannot be scored`
        : fileError?.type === 'file-error' ? fileError.message : stopped ?? 'the suite did not run';
    const test: TestScore = {
      stage: stage.number, name: `stage ${stageId(stage)} could not be graded`, status: 'unfinished', points: stage.points, earned: 0,
      message: why, hint: `Check that your files load: run \`make stage-${stage.number}\` and read the first error.`, guide: '', durationMs: 0,
    };
    return { stage, tests: [test], earned: 0, max: stage.points, tampered };
  }

  const byName = new Map(results.map((r) => [r.name, r]));
  const tests = declared.map((d): TestScore => {
    const r = byName.get(d.name);
    const status: TestStatus = r ? (r.passed ? 'passed' : 'failed') : 'unfinished';
    const message = r ? r.message : `This test did not finish: ${stopped ?? 'the run ended before it'}.`;
    // A failed check that names its own rule (rule()) points there instead of at the test's main one.
    const hint = (status === 'failed' && r?.hint) || d.hint;
    const guide = (status === 'failed' && r?.guide) || d.guide;
    return { stage: stage.number, name: d.name, status, points: d.points, earned: status === 'passed' ? d.points : 0, message, hint, guide, durationMs: r?.durationMs ?? 0 };
  });
  const earned = tests.reduce((sum, t) => sum + t.earned, 0);
  return { stage, tests, earned, max: tests.reduce((sum, t) => sum + t.points, 0) };
}

/**
 * The reporter sends exactly one declaration and one result per test, and once the file has ended
 * (`end`), every test has its result but those vitest did not run. Anything else (a test declared
 * twice, two results for one test, a result for a test never declared, a finished file with a test
 * left without a result) was written, or kept from being written, by someone else: never "first
 * record wins", the stage is not scored at all. A run killed before its file ended (the watchdog,
 * the time limit) leaves its unfinished tests without results, and they cost their own points.
 */
function tamperedWith(declared: DeclaredRecord[], results: ResultRecord[], end: FileEndRecord | undefined): string | undefined {
  const names = new Set<string>();
  for (const d of declared) {
    if (names.has(d.name)) return `"${d.name}" was declared twice`;
    names.add(d.name);
  }
  const seen = new Set<string>();
  for (const r of results) {
    if (!names.has(r.name)) return `a result for "${r.name}", which the suite does not declare`;
    if (seen.has(r.name)) return `two results for "${r.name}"`;
    seen.add(r.name);
  }
  const missing = end && [...names].find((name) => !seen.has(name) && !end.notRun.includes(name));
  if (missing) return `no result for "${missing}", though its file ended`;
  return undefined;
}
