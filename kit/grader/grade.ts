// Grades a folder of submissions: each one unpacked, copied into its own workspace, run through
// the kit's suites with limits, swept of leftover processes, and scored. JOBS run at once.
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runSuites, type StageScore, type TestStatus } from '../run/suites.ts';
import type { Stage } from '../stages.ts';
import { kitRoot, stageId } from '../stages.ts';
import { printable } from '../harness/show.ts';
import { containedServiceEnv } from '../harness/contained-build.ts';
import { requestPrograms } from './compile.ts';
import { aborted } from '../run/abort.ts';
import { makeGradingKit, MODULE_CACHE_VAR } from './kit-copy.ts';
import { makeWorkspace, removeWorkspace, scrubbedEnv, type Workspace } from './isolate.ts';
import { inOwnNetwork, openRunSandbox, openUidOnlyRun, sandboxUnavailable, uidOnlyUnavailable, type RunSandbox } from './sandbox.ts';
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
  /** Grade without the sandbox (it cannot be had here); every grade then says it is not tamper-proof. */
  unsandboxed?: boolean;
}

/** Thrown by gradeAll when the sandbox cannot be had and `unsandboxed` was not given. */
export class SandboxUnavailable extends Error {}

export const UNSANDBOXED_NOTE = 'Graded without the sandbox: this grade is not tamper-proof.';

export const DEFAULT_LIMIT_MS = 180_000;

export async function gradeAll(opts: GradeOptions): Promise<StudentGrade[]> {
  const subs = listSubmissions(opts.submissions);
  if (!opts.unsandboxed) {
    const why = sandboxUnavailable();
    if (why) throw new SandboxUnavailable(`No sandbox for student code: ${why}. Grading refused; --unsandboxed (UNSANDBOXED=1) grades anyway, marked not tamper-proof.`);
  }
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const grades: StudentGrade[] = new Array(subs.length);
  const modules = sharedModuleCache(opts);
  let next = 0;
  let done = 0;
  let running = 0;
  const worker = async (slot: number): Promise<void> => {
    while (next < subs.length && !aborted()) {
      const i = next++;
      running++;
      opts.onProgress?.(done, subs.length, running);
      grades[i] = await gradeOne(subs[i], opts, modules?.slot(slot));
      running--;
      done++;
      opts.onProgress?.(done, subs.length, running);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, subs.length) }, (_, slot) => worker(slot)));
  } finally {
    modules?.remove();
  }
  // Interrupted: only the submissions that were graded.
  return grades.filter(Boolean);
}

/** Where one job slot's runs keep vitest's transformed modules, and where its copy of the kit goes. */
interface ModuleSlot {
  cacheDir: string;
  kitName: string;
}

/**
 * vitest transforms the suites and the kit's modules anew in every run: about a third of a
 * second of CPU per submission. Runs of one job slot, one after another, share those transforms:
 * the slot's copy of the kit is always at the same path (the cache is keyed by path and content),
 * and the cache is a root-only folder that only the trusted vitest process writes. Only where the
 * student's code runs as another user (the sandbox, or its uid-only fallback): code that runs as
 * the grader's user could write the cache, so there every run transforms its own.
 */
function sharedModuleCache(opts: GradeOptions): { slot(n: number): ModuleSlot; remove(): void } | undefined {
  const asAnotherUser = opts.unsandboxed ? uidOnlyUnavailable() === undefined : true;
  if (!asAnotherUser) return undefined;
  const root = mkdtempSync(join(tmpdir(), `classchat-modules-${process.pid}-`));
  chmodSync(root, 0o700);
  return {
    slot: (n) => ({ cacheDir: join(root, `slot-${n}`), kitName: `${basename(root).replace('classchat-modules-', 'classchat-kit-')}-slot-${n}` }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

async function gradeOne(sub: Submission, opts: GradeOptions, modules?: ModuleSlot): Promise<StudentGrade> {
  const started = Date.now();
  const notes: string[] = [];
  let stagesRoot: string | undefined;
  // Archives are unpacked in a scratch folder; only their stage folders are copied on.
  const unpackDir = mkdtempSync(join(tmpdir(), `classchat-grade-${process.pid}-`));
  let unpacked: string | undefined;
  if (sub.linksTo) {
    notes.push(`The submission is a link to ${sub.linksTo}, not a folder or archive of its own: not graded.`);
  } else {
    try {
      unpacked = await unpack(sub, join(unpackDir, 'unpacked'));
      stagesRoot = findStagesRoot(unpacked);
      if (!stagesRoot) notes.push('No stage folders (01-socket/, …) were found in the submission.');
    } catch (err) {
      notes.push(`The submission could not be unpacked: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const ws = makeWorkspace(stagesRoot, unpacked);
  notes.push(...ws.refused.map((r) => `Refused: ${r}.`));
  rmSync(unpackDir, { recursive: true, force: true });
  // A copy of the suites per submission: one student's code cannot change the next one's tests.
  const kit = makeGradingKit(modules?.kitName);
  let sandbox: RunSandbox | undefined;
  try {
    const bin = join(ws.root, 'bin');
    // Without the sandbox, root still drops the student's processes to a uid of the run's own.
    if (!opts.unsandboxed) sandbox = openRunSandbox(basename(ws.root), visibleTo(ws), bin);
    else if (!uidOnlyUnavailable()) {
      sandbox = openUidOnlyRun(basename(ws.root), bin);
      chownSync(ws.tmp, sandbox.spec.hostUid, sandbox.spec.hostUid); // its TMPDIR and HOME
    }
    // Programs and stages 1-5's drivers are bundled in the suites' worker, on its contained esbuild.
    mkdirSync(bin);
    const env = requestPrograms(opts.stages, bin);
    prepareRuntime(bin, kit.dir);
    const outcome = await runSuites({
      stages: opts.stages,
      target: ws.stages,
      baseEnv: scrubbedEnv(ws),
      // The workers' esbuild (the drivers' bundling) runs contained in the submission's limits.
      env: { ...env, ...sandbox?.env, ...(sandbox ? containedServiceEnv(sandbox.spec, bin) : {}), ...(modules ? { [MODULE_CACHE_VAR]: modules.cacheDir } : {}) },
      kitDir: kit.dir,
      config: join(kit.dir, 'kit', 'grader', 'vitest.grader.config.ts'),
      wrap: opts.unsandboxed ? undefined : inOwnNetwork,
      workers: 1,
      limitMs: opts.limitMs ?? DEFAULT_LIMIT_MS,
      stallMs: opts.stallMs,
      onSwept: (n) => notes.push(`${n} process${n === 1 ? '' : 'es'} left running by the submission ${n === 1 ? 'was' : 'were'} killed.`),
    });
    if (outcome.stopped) notes.push(`The run was stopped: ${outcome.stopped}.`);
    if (outcome.runnerError) notes.push(`The test runner failed: ${outcome.runnerError.split('\n').slice(0, 3).join(' ')}`);
    for (const sc of outcome.scores) if (sc.tampered) notes.push(`Stage ${sc.stage.number}: the test records were tampered with (${sc.tampered}); the stage scores 0.`);
    // Whatever is still in the submission's cgroups goes before anything is reported.
    if (sandbox) notes.push(...sandbox.close().notes);
    sandbox = undefined;
    if (opts.unsandboxed) notes.push(UNSANDBOXED_NOTE);
    return toGrade(sub, outcome.scores, notes, started);
  } finally {
    sandbox?.close();
    kit.remove();
    removeWorkspace(ws);
  }
}

/**
 * What a submission's sandboxes may read: its own code, its bundles in bin/, node_modules and
 * Node. Not the kit's copy: the drivers and programs run from bundles, with the kit's code inside.
 */
function visibleTo(ws: Workspace): string[] {
  const node = realpathSync(process.execPath);
  const paths = [ws.stages, join(ws.root, 'bin'), realpathSync(join(kitRoot(), 'node_modules'))];
  // Node under /usr is there already; elsewhere (nvm, /opt) its installation is bound too.
  if (!node.startsWith('/usr/')) paths.push(dirname(dirname(node)));
  return paths;
}

/**
 * bin/ is where the sandboxed processes start: there `node --import tsx` (a program whose bundling
 * failed) finds tsx and the kit's TypeScript settings, and a bundle finds the packages it imports.
 */
function prepareRuntime(bin: string, kitDir: string): void {
  symlinkSync(realpathSync(join(kitRoot(), 'node_modules')), join(bin, 'node_modules'), 'dir');
  copyFileSync(join(kitDir, 'tsconfig.json'), join(bin, 'tsconfig.json'));
}

function toGrade(sub: Submission, scores: StageScore[], notes: string[], started: number): StudentGrade {
  const stages = scores.map((sc): StageGrade => ({ number: sc.stage.number, id: stageId(sc.stage), title: sc.stage.title, points: sc.earned, maxPoints: sc.max }));
  const tests = scores.flatMap((sc) =>
    sc.tests.map((t): TestGrade => ({
      name: t.name, stage: t.stage, points: t.earned, maxPoints: t.points, status: t.status,
      message: printable(t.message), hint: t.hint, guide: t.guide, durationMs: t.durationMs,
    })),
  );
  return {
    student: sub.student,
    source: sub.source,
    points: stages.reduce((s, g) => s + g.points, 0),
    maxPoints: stages.reduce((s, g) => s + g.maxPoints, 0),
    stages,
    tests,
    // Notes name the submission's files and quote its errors: nothing in them may drive a terminal.
    notes: notes.map((note) => printable(note, false)),
    durationMs: Date.now() - started,
  };
}
