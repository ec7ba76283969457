// The student release: nothing of the solutions inside, and the course's first command works in it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { kitRoot } from '../stages.ts';
import { findSolutionLines, LONG } from './no-solutions.ts';
import { leftOut, writeRelease } from './student.ts';

const temp = mkdtempSync(join(tmpdir(), 'classchat-release-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const release = writeRelease(join(temp, 'student'));

function make(args: string[]) {
  // -o: the stamp counts as up to date, so make does not run npm ci into the linked node_modules.
  const r = spawnSync('make', ['--no-print-directory', '-o', 'node_modules/.classchat-installed', ...args], {
    cwd: release.dir,
    env: { ...process.env, TARGET: '', GUIDE: '0', NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('the release has no solutions, no mutants and no solution line', () => {
  expect(existsSync(join(release.dir, 'solutions'))).toBe(false);
  const tests = readdirSync(join(release.dir, 'tests'), { recursive: true }).map(String);
  expect(tests.filter((f) => f.endsWith('mutants.ts'))).toEqual([]);
  expect(release.leaks.solutionFiles).toBeGreaterThan(5);
  expect(release.leaks.checkedLines).toBeGreaterThan(100);
  expect(release.leaks.found).toEqual([]);
  expect(readFileSync(join(release.dir, 'README.md'), 'utf8')).toContain('Student release');
});

test("local state stays out: a run's driver bundles (solutions in them when TARGET=solutions), progress, the grader's cache", () => {
  for (const rel of ['.classchat/build/driver-1-x/student-0.mjs', '.classchat/state.json', '.grader-private/cache/x.json', 'solutions/01-socket/endpoint.ts']) {
    expect(leftOut(rel), rel).toBeDefined();
  }
  for (const rel of ['stages/01-socket/endpoint.ts', 'tests/01-socket.test.ts', 'guide/01-socket.md']) expect(leftOut(rel), rel).toBeUndefined();
});

test('the check finds a long solution line, and a block of short ones, wherever they hide', () => {
  const planted = join(temp, 'planted');
  cpSync(release.dir, planted, { recursive: true });
  const starter = new Set(readFileSync(join(kitRoot(), 'stages', '04-loop', 'framing.ts'), 'utf8').split('\n').map((l) => l.trim()));
  const solution = readFileSync(join(kitRoot(), 'solutions', '04-loop', 'framing.ts'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => !starter.has(l) && !l.startsWith('//') && !l.startsWith('import'));
  const long = solution.find((l) => l.length >= LONG + 5) ?? '';
  const short = solution.filter((l) => l.length > 8 && l.length < LONG && /^[a-z]/.test(l));
  writeFileSync(join(planted, 'guide', 'notes.md'), `A paragraph.\n\n    ${long}\n\n${short.slice(0, 3).join('\n')}\n`);
  const dirs = { release: planted, solutions: join(kitRoot(), 'solutions'), starters: join(kitRoot(), 'stages') };
  const found = findSolutionLines(dirs).found.map((f) => f.where);
  expect(found).toContain('guide/notes.md:3');
  expect(found).toEqual(expect.arrayContaining(['guide/notes.md:5', 'guide/notes.md:6', 'guide/notes.md:7']));
  // The same short lines one at a time are idioms, not a copied block.
  writeFileSync(join(planted, 'guide', 'notes.md'), short.slice(0, 3).join('\n\nText.\n\n'));
  expect(findSolutionLines(dirs).found).toEqual([]);
});

test('in the release, make stage-1 grades the starter and make test says what it needs', () => {
  symlinkSync(join(kitRoot(), 'node_modules'), join(release.dir, 'node_modules'), 'dir');
  const stage = make(['stage-1']);
  expect(stage.out).toContain('Stage 1 · Socket creation');
  expect(stage.out).toMatch(/0 \/ 4 points/);
  expect(stage.code).toBe(2); // make's own code for a failing recipe: the stage is not passed yet
  const selftest = make(['test']);
  expect(selftest.code).toBe(2);
  expect(selftest.out).toContain('make test needs the reference solutions (solutions/)');
});
