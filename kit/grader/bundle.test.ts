// The Gradescope bundle, tried the way Gradescope runs it: unzipped into a stand-in for
// /autograder, run_autograder on a submission, results.json read back.
import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { kitRoot, STAGES } from '../stages.ts';
import { writeBundle } from './bundle.ts';

const root = mkdtempSync(join(tmpdir(), 'classchat-autograder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the bundle has the two scripts on top and no solutions', () => {
  const zip = new AdmZip(writeBundle(join(root, 'autograder.zip')));
  const names = zip.getEntries().map((e) => e.entryName);
  expect(names).toContain('setup.sh');
  expect(names).toContain('run_autograder');
  expect(names).toContain('tests/01-socket.test.ts');
  expect(names.filter((n) => n.startsWith('solutions/'))).toEqual([]);
  expect(names.filter((n) => n.endsWith('mutants.ts'))).toEqual([]);
  expect((zip.getEntry('run_autograder')!.attr >>> 16) & 0o111).not.toBe(0);
});

test('run_autograder grades /autograder/submission into results/results.json', () => {
  const autograder = join(root, 'autograder');
  new AdmZip(writeBundle(join(root, 'autograder.zip'))).extractAllTo(join(autograder, 'source'), true);
  // setup.sh would run npm ci here; the kit's own node_modules stand in for it.
  symlinkSync(join(kitRoot(), 'node_modules'), join(autograder, 'source', 'node_modules'), 'dir');
  cpSync(join(kitRoot(), 'solutions'), join(autograder, 'submission', 'stages'), { recursive: true });
  execFileSync('bash', [join(autograder, 'source', 'run_autograder')], { env: { ...process.env, AUTOGRADER_ROOT: autograder }, stdio: 'pipe' });
  const file = join(autograder, 'results', 'results.json');
  expect(existsSync(file)).toBe(true);
  const results = JSON.parse(readFileSync(file, 'utf8')) as { score: number; tests: Array<{ name: string; score: number; max_score: number; status: string; visibility: string }> };
  const max = STAGES.reduce((sum, s) => sum + s.points, 0);
  expect(results.score).toBe(max);
  expect(results.tests.reduce((sum, t) => sum + t.max_score, 0)).toBe(max);
  expect(results.tests.every((t) => t.status === 'passed' && t.visibility === 'visible')).toBe(true);
}, 240_000);
