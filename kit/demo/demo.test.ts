// `make demo-N` end to end: the reference programs play stage 6's script, the starter stops it
// with a clear message, and both leave an SVG and a transcript behind.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { shippedStarters } from '../starters.ts';
import { kitRoot } from '../stages.ts';
import { demoDir } from './run.ts';

const starters = shippedStarters();
afterAll(() => starters.temp && rmSync(starters.temp, { recursive: true, force: true }));

function demo(n: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(kitRoot(), 'kit', 'demo', 'run.ts'), n], {
    cwd: kitRoot(),
    env: { ...process.env, TARGET: '', SERVER_CMD: '', CLIENT_CMD: '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the reference programs play the five course cases into an SVG and a transcript', () => {
  const r = demo('6', { TARGET: 'solutions' });
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const txt = readFileSync(join(demoDir(), 'stage-6.txt'), 'utf8');
  expect(txt).toMatch(/^server +│ ClassChat server listening on 127\.0\.0\.1:\d+$/m);
  expect(txt).toMatch(/^client 1 > Hello, Server!$/m);
  expect(txt).toMatch(/^client 1 │ Server received: Hello, Server!$/m);
  expect(txt).toMatch(/^client 2 │ Server shutting down\. Goodbye!$/m);
  expect(txt).toMatch(/^client 3 · exited with exit code 1$/m);
  const svg = readFileSync(join(demoDir(), 'stage-6.svg'), 'utf8');
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(svg).toContain('Server received: Hello, Server!');
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
});

test('the starter stops the demo with what to do, and the recording is still written', () => {
  const r = demo('6', { TARGET: starters.dir });
  expect(r.code).toBe(1);
  expect(r.err).toContain('finish stage 6 first (make stage-6)');
  expect(readFileSync(join(demoDir(), 'stage-6.txt'), 'utf8')).toMatch(/^server ! .*TODO\(stage 6\)/m);
});

test('a stage without programs has no demo, and says so', () => {
  const r = demo('3');
  expect(r.code).toBe(2);
  expect(r.err).toContain('Stage 3 has no demo');
});
