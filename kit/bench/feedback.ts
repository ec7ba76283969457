// `make bench-feedback`: how long a student waits for `make stage-N` (the chapter skipped, the
// reference graded), per stage, next to a bare baseline measured in the same run: vitest running
// one empty test, the floor of any feedback the kit gives. With `--before DIR` (another checkout of
// the kit, e.g. a git worktree of an older commit) the same command is timed there too, in turns,
// so both see the same load. A benchmark, not a test: it prints figures and exits 0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kitRoot, parseStageList, stageId } from '../stages.ts';

const USAGE = 'Usage: node --import tsx kit/bench/feedback.ts [--runs 7] [--stages 1-5] [--before DIR]';
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, stages: { type: 'string', default: '1-9' }, before: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs must be a whole number of at least 1, not ${values.runs}. ${USAGE}\n`);
  process.exit(2);
}
const stages = parseStageList(values.stages);
const kits = [{ name: 'this kit', dir: kitRoot() }, ...(values.before ? [{ name: 'before', dir: resolve(values.before) }] : [])];

/** Wall seconds of one command, or undefined when it failed (a failed run says nothing of speed). */
function seconds(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): number | undefined {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: dir, env: { ...process.env, GUIDE: '0', TARGET: 'solutions', NO_COLOR: '1', ...env }, stdio: 'ignore' });
  return run.status === 0 ? Number(process.hrtime.bigint() - started) / 1e9 : undefined;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const show = (xs: number[]): string => (xs.length ? `${median(xs).toFixed(2)} s` : 'failed');

// The baseline: vitest alone, one empty test, from this kit's node_modules.
const bare = mkdtempSync(join(kitRoot(), '.classchat-bench-'));
writeFileSync(join(bare, 'empty.test.mjs'), "import { test } from 'vitest';\ntest('nothing', () => {});\n");
// Its own config, or vitest would find the kit's above it.
writeFileSync(join(bare, 'vitest.config.mjs'), "export default { test: { include: ['*.test.mjs'] } };\n");
const vitest = join(kitRoot(), 'node_modules', 'vitest', 'vitest.mjs');
const rows: string[][] = [];
try {
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = seconds(bare, [vitest, 'run', '--config', join(bare, 'vitest.config.mjs')]);
    if (s !== undefined) base.push(s);
  }
  rows.push(['bare vitest, one empty test', show(base), ...(values.before ? [''] : [])]);
  for (const stage of stages) {
    const times = kits.map(() => [] as number[]);
    for (let i = 0; i < runs; i++) {
      kits.forEach((kit, k) => {
        const s = seconds(kit.dir, ['--import', 'tsx', 'kit/cli.ts', 'stage', String(stage.number)]);
        if (s !== undefined) times[k].push(s);
      });
    }
    rows.push([`make stage-${stage.number} (${stageId(stage)})`, ...times.map(show)]);
  }
} finally {
  rmSync(bare, { recursive: true, force: true });
}
const header = ['', ...kits.map((k) => k.name)];
const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => (r[c] ?? '').length)));
const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ');
process.stdout.write(`Median wall time of ${runs} runs each, the reference graded with GUIDE=0${values.before ? `; before = ${kits[1].dir}` : ''}\n${[header, ...rows].map(line).join('\n')}\n`);
