// The grader against a class of hostile submissions: every one gets exactly the score it
// deserves, the run survives all of them, and nothing is left behind.
import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { kitRoot, parseStageList, STAGES, stageId } from '../stages.ts';
import { gradeBook, toCsv, toGradescope, toJunit, writeExports } from './exports.ts';
import { gradeAll, type StudentGrade } from './grade.ts';
import { ownRunPrefix, RUN_ID_VAR } from '../run/sweep.ts';
import { patient, TEST_LIMIT_MS } from '../harness/patience.ts';
import { shippedStarters } from '../starters.ts';

const ROOT = kitRoot();
const FIXTURES = join(ROOT, 'kit', 'grader', 'fixtures');
// The hostile fixtures are Task-1 code: the class is graded on Task 1's stages, and a correct and
// a starter submission on the later tasks' stages below (GRADER_TEST_STAGES=all grades them all).
const TASK1 = STAGES.filter((s) => s.task === 1).map((s) => s.number).join(',');
const GRADED = parseStageList(process.env.GRADER_TEST_STAGES ?? TASK1);
const LATER = STAGES.filter((s) => s.task > 1);

/** The stages whose programs are assembled from the earlier stages by import. */
const PROGRAM_STAGES = STAGES.filter((s) => s.programs).map((s) => s.number);
const zeroFor = (...numbers: number[]): Record<number, number> => Object.fromEntries(numbers.map((n) => [n, 0]));

/** Expected points per stage number for each submission; stages not listed get full points. */
const EXPECTED: Record<string, Record<number, number>> = {
  correct: {},
  'correct-zip': {},
  'correct-tgz': {},
  empty: Object.fromEntries(STAGES.map((s) => [s.number, 0])),
  starter: Object.fromEntries(STAGES.map((s) => [s.number, 0])),
  'missing-files': Object.fromEntries(STAGES.filter((s) => s.number !== 1).map((s) => [s.number, 0])),
  // Graded without the stages with programs (WAITERS below): the loop costs stage 1 only.
  'import-loop': zeroFor(1),
  'detached-child': {},
  // Every stage with programs imports stage 2: none of them loads.
  'syntax-error': zeroFor(2, ...PROGRAM_STAGES),
  // Only readAck() works in stage 3 (its two tests, 0.75 each). Graded without stage 6 (WAITERS).
  'silent-handler': { 3: 1.5 },
  // The shutdown test (0.5) fails; every other test still stops the server, with SIGKILL.
  'sigterm-ignored': { 6: 4.5 },
  'stdout-flood': {},
  // Only the client tests that need no real server pass (course test 5, server down; and the
  // client against the suite's scripted server).
  'exits-at-once': { 6: 1 },
};

/**
 * Graded on the stages without programs only, beside the class and at the same time: on stage 6
 * they add nothing but waiting (every start of a program that never answers waits out its window:
 * about 100 s for import-loop, 60 s for silent-handler), and what they would show there, programs
 * that import a broken stage score 0 and a silent server fails every test that needs it, the
 * class shows through syntax-error and exits-at-once.
 */
const WAITERS = ['import-loop', 'silent-handler'];
const WAITERS_GRADED = GRADED.filter((s) => !s.programs);
const gradedFor = (student: string) => (WAITERS.includes(student) ? WAITERS_GRADED : GRADED);

const expectedPoints = (student: string, stage: number): number =>
  EXPECTED[student][stage] ?? STAGES.find((s) => s.number === stage)!.points;

// This process's own folders only (they carry its pid): other runs may be going on meanwhile.
const tempEntries = (): string[] => readdirSync(tmpdir()).filter((n) => ['grade', 'kit', 'modules'].some((kind) => n.startsWith(`classchat-${kind}-${process.pid}-`)));

/** The grader's folders of vitest's transformed modules (see sharedModuleCache in grade.ts), as seen mid-run. */
interface ModuleCacheSeen {
  mode: number;
  uid: number;
  /** Entries in each job slot's folder. */
  slots: number[];
}

function moduleCachesNow(): ModuleCacheSeen[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith(`classchat-modules-${process.pid}-`)).map((n) => {
    const dir = join(tmpdir(), n);
    const { mode, uid } = statSync(dir);
    return { mode: mode & 0o777, uid, slots: readdirSync(dir).map((slot) => readdirSync(join(dir, slot)).length) };
  });
}

// The machine may be shared: only processes in this test's own memory cgroup (or beneath it) count.
const memoryCgroup = (pid: number | string): string => /^\d+:memory:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';
const OURS = memoryCgroup(process.pid);

/** Pids of live processes whose /proc/<pid>/<file> contains `text` (zombies excluded). */
function processesWith(file: 'environ' | 'cmdline', text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)) {
    try {
      if (/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if (!memoryCgroup(entry).startsWith(OURS)) continue;
      if (readFileSync(`/proc/${entry}/${file}`, 'latin1').includes(text)) pids.push(Number(entry));
    } catch {
      // exited, or not readable
    }
  }
  return pids;
}

// Lays a fixture's files over a copy of the solutions; each replaced X.ts keeps the reference as X-real.ts.
function overlay(name: string, into: string): void {
  cpSync(join(ROOT, 'solutions'), into, { recursive: true });
  const fixture = join(FIXTURES, name);
  for (const file of readdirSync(fixture, { recursive: true, encoding: 'utf8' })) {
    const from = join(fixture, file);
    if (!file.endsWith('.ts')) continue;
    const to = join(into, file);
    if (existsSync(to)) cpSync(to, to.replace(/\.ts$/, '-real.ts'));
    cpSync(from, to);
  }
}

function buildClass(dir: string, waiters: string): void {
  cpSync(join(ROOT, 'solutions'), join(dir, 'correct'), { recursive: true });
  const zip = new AdmZip();
  zip.addLocalFolder(join(ROOT, 'solutions'), 'my-project/stages');
  zip.writeZip(join(dir, 'correct-zip.zip'));
  execFileSync('tar', ['-czf', join(dir, 'correct-tgz.tar.gz'), '-C', ROOT, 'solutions']);
  mkdirSync(join(dir, 'empty'));
  const starters = shippedStarters();
  cpSync(starters.dir, join(dir, 'starter'), { recursive: true });
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
  cpSync(join(ROOT, 'solutions', stageId(STAGES[0])), join(dir, 'missing-files', stageId(STAGES[0])), { recursive: true });
  // attacks/ holds the sandbox's fixtures (kit/grader/sandbox.test.ts).
  for (const name of readdirSync(FIXTURES).filter((n) => !n.includes('.') && n !== 'attacks')) overlay(name, join(WAITERS.includes(name) ? waiters : dir, name));
}

describe('grading a class with hostile submissions', () => {
  let dir: string;
  let waitersDir: string;
  /** The class's grades, then the waiters'. */
  let grades: StudentGrade[];
  let classGrades: StudentGrade[];
  let waiterGrades: StudentGrade[];
  let tempBefore: string[];
  let cachesSeen: ModuleCacheSeen[] | undefined;
  const byName = (name: string): StudentGrade => grades.find((g) => g.student === name)!;

  beforeAll(async () => {
    tempBefore = tempEntries();
    dir = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    waitersDir = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    buildClass(dir, waitersDir);
    const limits = { limitMs: 120_000, stallMs: TEST_LIMIT_MS + 2_000 };
    [classGrades, waiterGrades] = await Promise.all([
      gradeAll({ submissions: dir, stages: GRADED, jobs: 2, ...limits, onProgress: (done) => {
        if (done >= 4 && cachesSeen === undefined) cachesSeen = moduleCachesNow();
      } }),
      // Mostly waiting: one job beside the class's two.
      gradeAll({ submissions: waitersDir, stages: WAITERS_GRADED, jobs: 1, ...limits }),
    ]);
    grades = [...classGrades, ...waiterGrades];
  }, patient(600_000));

  afterAll(() => {
    for (const d of [dir, waitersDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('every submission is graded, archives included, and sorted by name', () => {
    const sorted = (names: string[]) => names.sort((a, b) => a.localeCompare(b));
    expect(classGrades.map((g) => g.student)).toEqual(sorted(Object.keys(EXPECTED).filter((n) => !WAITERS.includes(n))));
    expect(waiterGrades.map((g) => g.student)).toEqual(sorted([...WAITERS]));
  });

  for (const student of Object.keys(EXPECTED)) {
    test(`${student} gets exactly its expected points per stage`, () => {
      const got = Object.fromEntries(byName(student).stages.map((s) => [s.number, s.points]));
      const want = Object.fromEntries(gradedFor(student).map((s) => [s.number, expectedPoints(student, s.number)]));
      const failures = byName(student).tests.filter((t) => t.status !== 'passed').map((t) => `${t.name}: ${t.message.slice(-400)}`);
      expect(got, `${student}'s notes: ${byName(student).notes.join(' | ') || 'none'}\nfailed tests:\n${failures.join('\n')}`).toEqual(want);
    });
  }

  test('the empty submission says why it got nothing', () => {
    expect(byName('empty').notes.join(' ')).toMatch(/No stage folders/);
  });

  test("a submission's infinite loop costs its own stage only, and the feedback says so", () => {
    const loop = byName('import-loop');
    const stage1 = loop.tests.filter((t) => t.stage === 1);
    // The loop runs in stage 1's driver, which never finishes loading: each test says so, and the
    // run itself goes on (nothing blocks the trusted test worker).
    expect(stage1.length).toBeGreaterThan(0);
    expect(stage1.filter((t) => t.status !== 'failed').map((t) => `${t.name}: ${t.status} ${t.message}`)).toEqual([]);
    expect(stage1[0].message).toMatch(/did not finish loading .*endless loop/);
  });

  test('a silent server fails with "no response", not a runner timeout', () => {
    const ack = byName('silent-handler').tests.find((t) => t.stage === 3 && /ACK line/.test(t.name))!;
    expect(ack.status).toBe('failed');
    expect(ack.message).toMatch(/nothing within [\d.]+ s \(no response\)/);
    expect(ack.durationMs).toBeLessThan(patient(6000));
  });

  test('the detached child does not outlive its run', () => {
    // It dies with the sandbox's pid namespace, before the runner's sweep would have to find it.
    expect(byName('detached-child').points).toBe(byName('correct').points);
    expect(processesWith('cmdline', `sleep-${RUN_ID_VAR}=${ownRunPrefix()}`)).toEqual([]);
  });

  test("a job slot's runs share vitest's transforms of the kit, in a folder of root's alone, gone afterwards", () => {
    // Seen after four submissions, two per slot: every slot's folder holds the transforms.
    // (The waiters' gradeAll, beside it, may have one too.)
    expect(cachesSeen?.length).toBeGreaterThanOrEqual(1);
    expect(cachesSeen?.some((seen) => seen.slots.length === 2)).toBe(true);
    for (const seen of cachesSeen ?? []) {
      expect(seen.mode).toBe(0o700);
      expect(seen.uid).toBe(process.getuid?.());
      for (const entries of seen.slots) expect(entries).toBeGreaterThan(10);
    }
    expect(moduleCachesNow()).toEqual([]);
  });

  test('no process, workspace or kit copy of the run is left behind', () => {
    // Only this test's runs: other runs may be going on elsewhere on the machine.
    expect(processesWith('environ', `${RUN_ID_VAR}=${ownRunPrefix()}`)).toEqual([]);
    // The detached child's sleep has an empty environment; the fixture names it after its run.
    expect(processesWith('cmdline', `sleep-${RUN_ID_VAR}=${ownRunPrefix()}`)).toEqual([]);
    expect(tempEntries().filter((n) => !tempBefore.includes(n))).toEqual([]);
  });

  test('the exports agree with the grades', () => {
    const book = gradeBook(GRADED, classGrades);
    const out = join(dir, 'out');
    const written = writeExports(book, out).map((p) => relative(out, p));
    expect(written).toContain('grades.json');
    expect(written).toContain(join('gradescope', 'correct', 'results.json'));
    expect(written).toContain(join('feedback', 'sigterm-ignored.md'));
    const csv = toCsv(book).trim().split('\n');
    expect(csv[0]).toBe(['student', ...GRADED.map(stageId), 'total', 'max', 'failed_tests', 'notes'].join(','));
    expect(csv).toHaveLength(classGrades.length + 1);
    const gs = toGradescope(byName('sigterm-ignored')) as { score: number; tests: Array<{ score: number; max_score: number; status: string }> };
    expect(gs.score).toBe(gs.tests.reduce((sum, t) => sum + t.score, 0));
    expect(gs.tests.some((t) => t.status === 'failed' && t.score === 0 && t.max_score > 0)).toBe(true);
    const junit = toJunit(book);
    expect(junit.match(/<testsuite /g)).toHaveLength(classGrades.length);
    expect(junit.match(/<failure /g)?.length).toBe(classGrades.flatMap((g) => g.tests).filter((t) => t.status !== 'passed').length);
  });
});

describe('the later tasks are graded like Task 1', () => {
  let grades: StudentGrade[];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    cpSync(join(ROOT, 'solutions'), join(dir, 'correct'), { recursive: true });
    const starters = shippedStarters();
    cpSync(starters.dir, join(dir, 'starter'), { recursive: true });
    if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
    grades = await gradeAll({ submissions: dir, stages: LATER, jobs: 2 });
  }, patient(600_000));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a correct submission gets full points on stages 7–9, the starter none', () => {
    const points = (who: string) => Object.fromEntries(grades.find((g) => g.student === who)!.stages.map((s) => [s.number, s.points]));
    expect(points('correct')).toEqual(Object.fromEntries(LATER.map((s) => [s.number, s.points])));
    expect(points('starter')).toEqual(Object.fromEntries(LATER.map((s) => [s.number, 0])));
  });
});
