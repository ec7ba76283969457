// The student's commands as make runs them: help from the manifest, one-line usage errors that
// say `make help`, the chapter in full once and then its opening, the solution only once a stage
// passes, and reset in a fresh clone of the kit.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { kitRoot, STAGES } from '../stages.ts';

const scratch = mkdtempSync(join(tmpdir(), 'classchat-commands-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// As a student types it: not a make inside `make test` (whose messages say make[2]: …).
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TARGET: '', CLASSCHAT_STATE: join(scratch, 'state.json'), ...extra };
  for (const name of ['MAKELEVEL', 'MAKEFLAGS', 'MFLAGS', 'MAKEOVERRIDES', 'CLASSCHAT_VIA_MAKE']) delete base[name];
  return base;
};

function make(args: string[], extra: NodeJS.ProcessEnv = {}, cwd = kitRoot()) {
  const r = spawnSync('make', ['--no-print-directory', ...args], { cwd, env: env(extra), encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('make help lists every stage of the manifest and every command, aligned', () => {
  const r = make(['help'], { COLUMNS: '100' });
  expect(r.code).toBe(0);
  for (const s of STAGES) expect(r.out).toContain(`${String(s.number).padStart(2)}  ${s.title} (${s.points} points)`);
  const commands = r.out.split('\n').filter((l) => /^ {2}make \S/.test(l));
  for (const name of ['stage-N', 'guide-N', 'hint-N', 'solution-N', 'try-N', 'reset-N', 'watch', 'progress', 'help']) {
    expect(commands.some((l) => l.startsWith(`  make ${name} `)), name).toBe(true);
  }
  const column = (l: string) => l.search(/(?<=^ {2}make \S+\s+)\S/);
  expect(new Set(commands.map(column)).size).toBe(1);
});

test.each([['stage-'], ['stage-x'], ['stage-99'], ['hint-'], ['try-abc']])('make %s: the kit\'s one-line error that points at make help', (target) => {
  const r = make([target]);
  expect(r.code).not.toBe(0);
  const kitLines = r.err.split('\n').filter((l) => l && !l.startsWith('make: ***'));
  expect(kitLines).toHaveLength(1);
  expect(kitLines[0]).toMatch(/^Error: (Which stage\?|There is no stage 99).*make help/);
  expect(r.err).not.toContain('--help');
  expect(r.err).not.toMatch(/\.o\]/);
});

test('make stage-N shows the whole chapter the first time, then only its "What you build" part', () => {
  const state = join(scratch, 'guide-state.json');
  const first = make(['stage-2'], { CLASSCHAT_STATE: state, TARGET: 'solutions' });
  expect(first.code).toBe(0);
  expect(first.out).toContain('## Common mistakes');
  const second = make(['stage-2'], { CLASSCHAT_STATE: state, TARGET: 'solutions' });
  expect(second.out).toContain('## What you build');
  expect(second.out).not.toContain('## Common mistakes');
  expect(second.out).toContain('make guide-2');
  expect(second.out).toMatch(/5 \/ 5 points/);
  expect(make(['stage-2'], { CLASSCHAT_STATE: state, TARGET: 'solutions', GUIDE: '1' }).out).toContain('## Common mistakes');
  expect(make(['stage-2'], { CLASSCHAT_STATE: state, TARGET: 'solutions', GUIDE: '0' }).out).not.toContain('## What you build');
}, 120_000);

test('make solution-N shows the diff only once the stage passes, or with FORCE=1', () => {
  const hidden = make(['solution-1']);
  expect(hidden.code).not.toBe(0);
  expect(hidden.out).toMatch(/stays hidden.*FORCE=1 make solution-1/s);
  expect(hidden.out).not.toContain('DEFAULT_PORT = 12345');
  const forced = make(['solution-1'], { FORCE: '1' });
  expect(forced.code).toBe(0);
  expect(forced.out).toContain('+export const DEFAULT_PORT = 12345;');
  // The reference graded against itself passes, so its diff is shown: every file the same.
  const passed = make(['solution-1'], { TARGET: 'solutions' });
  expect(passed.code).toBe(0);
  expect(passed.out).toContain('the same as the reference');
}, 120_000);

const isGit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: kitRoot() }).status === 0;

test.skipIf(!isGit)('make reset-N asks, keeps a backup, and restores git HEAD\'s starter', () => {
  const clone = join(scratch, 'clone');
  execFileSync('git', ['clone', '-q', kitRoot(), clone]);
  symlinkSync(join(kitRoot(), 'node_modules'), join(clone, 'node_modules'));
  // The clone's package files are newer than the shared install stamp: date them back, or make
  // would run npm ci through the link and empty the kit's own node_modules.
  for (const f of ['package.json', 'package-lock.json']) utimesSync(join(clone, f), new Date(0), new Date(0));
  const file = join(clone, 'stages', '01-socket', 'endpoint.ts');
  const starter = readFileSync(file, 'utf8');
  writeFileSync(file, "export const DEFAULT_PORT = 12345; // the student's work\n");
  const state = join(clone, '.classchat', 'state.json');
  // Without a terminal to ask and without YES=1, nothing changes.
  const refused = make(['reset-1'], { CLASSCHAT_STATE: state }, clone);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toContain('YES=1 make reset-N');
  expect(readFileSync(file, 'utf8')).toContain("the student's work");
  const done = make(['reset-1'], { CLASSCHAT_STATE: state, YES: '1' }, clone);
  expect(done.code).toBe(0);
  expect(readFileSync(file, 'utf8')).toBe(starter);
  const backups = join(clone, '.classchat', 'backups');
  const [backup] = readdirSync(backups);
  expect(readFileSync(join(backups, backup, 'endpoint.ts'), 'utf8')).toContain("the student's work");
  // .classchat/ is git-ignored: the backup never ends up in a commit.
  expect(execFileSync('git', ['status', '--porcelain', '--', '.', ':!node_modules'], { cwd: clone, encoding: 'utf8' })).toBe('');
  expect(make(['reset-1'], { CLASSCHAT_STATE: state, YES: '1' }, clone).out).toContain('nothing to reset');
  expect(existsSync(state)).toBe(true);
}, 120_000);
