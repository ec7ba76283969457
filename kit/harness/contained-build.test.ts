// The grader's bundling, contained: a source that bloats esbuild's output or overflows its stack
// costs only its own bundle, and what the build uses is charged to the submission.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { openRunSandbox, sandboxUnavailable, type RunSandbox } from '../grader/sandbox.ts';
import { kitRoot } from '../stages.ts';
import { execFileSync } from 'node:child_process';
import { bundle, containedServiceEnv, OUTPUT_LIMIT_BYTES } from './contained-build.ts';
import { BUILD_DIR_VAR, buildDriver } from './driver-build.ts';

const unavailable = sandboxUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'classchat-contained-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` as `name` in the submission folder; returns its path. */
function source(name: string, text: string): string {
  const path = join(dir, 'src', name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

// A const enum's string is inlined at every use: 64 KB × 400 uses is 25 MB of bundle from 66 KB of source.
const BLOAT = `export const enum E { A = "${'A'.repeat(64 * 1024)}" }\nexport const xs = [${'E.A,'.repeat(400)}];\n`;
// Nested deeper than esbuild's parser has stack for: its Go runtime dies.
const DEEP = `export const x = ${'['.repeat(4_000_000)}\n`;
const HONEST = `import { once } from 'node:events';\nexport const answer: number = 42;\nexport { once };\n`;

/** Total size of the files under `folder`. */
const sizeOf = (folder: string): number =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' }).reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);

test('without a sandbox it bundles in this process, and says what is wrong as tsx does', async () => {
  const out = join(dir, 'here');
  expect(await bundle({ entryPoints: { honest: source('honest.ts', HONEST) }, outfile: join(out, 'honest.mjs'), submission: join(dir, 'src') }, {})).toBeUndefined();
  expect(readFileSync(join(out, 'honest.mjs'), 'utf8')).toContain('42');
  const error = await bundle({ entryPoints: { broken: source('broken.ts', 'export const = 1;\n') }, submission: join(dir, 'src') }, {});
  expect(error).toMatch(/src\/broken\.ts:1:13: ERROR: Expected identifier but found "="$/);
});

describe.skipIf(unavailable !== undefined)('a contained build (the grader\'s)', () => {
  let sandbox: RunSandbox;
  const memory = (file: string): number => Number(readFileSync(join(sandbox.spec.cgroups[0], file), 'utf8'));
  beforeAll(() => {
    sandbox = openRunSandbox(`contained-${process.pid}`, []);
  });
  afterAll(() => sandbox?.close());

  const run = (name: string, text: string, outfile?: string) =>
    bundle({ entryPoints: { [name]: source(`${name}.ts`, text) }, outfile, submission: join(dir, 'src') }, sandbox.env);

  test('what it uses is charged to the submission\'s memory cgroup', async () => {
    expect(memory('memory.max_usage_in_bytes')).toBe(0);
    expect(await run('honest', HONEST, join(dir, 'out', 'honest.mjs'))).toBeUndefined();
    expect(readFileSync(join(dir, 'out', 'honest.mjs'), 'utf8')).toContain('42');
    // Node and esbuild's service, both in the cgroup from their start.
    expect(memory('memory.max_usage_in_bytes')).toBeGreaterThan(8 * 2 ** 20);
  }, 30_000);

  test('a source whose bundle would pass the size cap fails to bundle, and leaves no big file', async () => {
    const out = join(dir, 'bloat-out');
    mkdirSync(out);
    expect(await run('bloat', BLOAT, join(out, 'bloat.mjs'))).toBe(`ERROR: the bundle would be larger than ${OUTPUT_LIMIT_BYTES / 2 ** 20} MB`);
    expect(existsSync(join(out, 'bloat.mjs'))).toBe(false);
    expect(sizeOf(out)).toBe(0);
    // A check (nothing written) is held to the same limit.
    expect(await run('bloat', BLOAT)).toBe(`ERROR: the bundle would be larger than ${OUTPUT_LIMIT_BYTES / 2 ** 20} MB`);
  }, 60_000);

  test('a source that overflows esbuild\'s stack fails its own bundle only, quietly; the next one bundles', async () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      expect(await run('deep', DEEP, join(dir, 'out', 'deep.mjs'))).toMatch(/^ERROR: the bundler crashed or ran out of memory on it \(runtime: goroutine stack exceeds/);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
    expect(await run('honest-2', HONEST, join(dir, 'out', 'honest-2.mjs'))).toBeUndefined();
  }, 60_000);

  test('in a suite\'s worker (the wrapper as its esbuild), it bundles in process, contained: a crash or a bloat fails its own build only', async () => {
    const wrapperDir = mkdtempSync(join(dir, 'wrapper-'));
    const env = { ...process.env, ...sandbox.env, ...containedServiceEnv(sandbox.spec, wrapperDir) };
    const entries = { honest: HONEST, bloat: BLOAT, deep: DEEP, again: HONEST };
    for (const [name, text] of Object.entries(entries)) source(`worker-${name}.ts`, text);
    // A worker of its own: esbuild reads ESBUILD_BINARY_PATH once, when it is first imported.
    const script = `
      import { bundle } from ${JSON.stringify(join(kitRoot(), 'kit', 'harness', 'contained-build.ts'))};
      import { readFileSync } from 'node:fs';
      const results = {};
      for (const name of ${JSON.stringify(Object.keys(entries))}) {
        results[name] = await bundle({ entryPoints: { [name]: ${JSON.stringify(join(dir, 'src'))} + '/worker-' + name + '.ts' }, submission: ${JSON.stringify(join(dir, 'src'))} }) ?? null;
      }
      // The service's own cgroups, from inside: the ones the sandbox made.
      const esbuild = require('node:child_process').execFileSync('pgrep', ['-P', String(process.pid), '-f', 'esbuild']).toString().trim().split('\\n')[0];
      results.cgroup = readFileSync('/proc/' + esbuild + '/cgroup', 'utf8');
      console.log(JSON.stringify(results));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script.replace("require('node:child_process')", '(await import("node:child_process"))')], { env, cwd: kitRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const results = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, string | null>;
    expect(results.honest).toBeNull();
    expect(results.bloat).toBe(`ERROR: the bundle would be larger than ${OUTPUT_LIMIT_BYTES / 2 ** 20} MB`);
    expect(results.deep).toBe('ERROR: the bundler crashed or ran out of memory on it');
    expect(results.again).toBeNull();
    for (const cgroup of sandbox.spec.cgroups) expect(results.cgroup).toContain(cgroup.split('/').at(-1));
  }, 60_000);

  test('a driver\'s student module that cannot be bundled is reported broken in one line; the driver is still bundled', async () => {
    const target = join(dir, 'target');
    mkdirSync(join(target, '01-socket'), { recursive: true });
    writeFileSync(join(target, '01-socket', 'bloat.ts'), BLOAT);
    writeFileSync(join(target, '01-socket', 'endpoint.ts'), `import { xs } from './bloat.ts';\nexport const bloat = xs;\n${readFileSync(join(kitRoot(), 'solutions', '01-socket', 'endpoint.ts'), 'utf8')}`);
    const build = join(dir, 'build');
    const built = await buildDriver(join(kitRoot(), 'tests', '01-socket', 'driver.ts'), '01-socket', { ...process.env, ...sandbox.env, TARGET: target, [BUILD_DIR_VAR]: build });
    try {
      expect(built).toBeDefined();
      expect(JSON.parse(built!.env.CLASSCHAT_MODULES!)).toEqual({ [join(target, '01-socket', 'endpoint.ts')]: { error: `ERROR: the bundle would be larger than ${OUTPUT_LIMIT_BYTES / 2 ** 20} MB` } });
      expect(sizeOf(build)).toBeLessThan(OUTPUT_LIMIT_BYTES / 4);
    } finally {
      built?.remove();
    }
  }, 60_000);
});
