// `make bench-grade`: grades N generated submissions (half copies of the solutions, half of the
// starters) and prints how fast the grader goes. Where the sandbox can be had, the same class is
// graded in turns with and without it (batches of ten, alternating), so both columns see the same
// load and the sandbox's cost is their ratio. A benchmark: it prints figures, it asserts nothing.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { showPoints } from '../report/format.ts';
import { shippedStarters } from '../starters.ts';
import { kitRoot, parseStageList } from '../stages.ts';
import { gradeAll, type StudentGrade } from './grade.ts';
import { sandboxUnavailable } from './sandbox.ts';

const USAGE = 'Usage: node --import tsx kit/grader/bench.ts [--count N] [--jobs N] [--stages 1-6] [--batch 10] [--sandboxed-only]';
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20' }, jobs: { type: 'string' }, stages: { type: 'string' }, batch: { type: 'string', default: '10' },
    // For turns against another checkout of the kit (one before the sandbox, say): only this column.
    'sandboxed-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const count = Number(values.count);
const batch = Number(values.batch);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(batch) || batch < 1) {
  process.stderr.write(`--count and --batch must be whole numbers of at least 1. ${USAGE}\n`);
  process.exit(2);
}
const jobs = values.jobs ? Number(values.jobs) : availableParallelism();
const stages = parseStageList(values.stages);
const noSandbox = process.env.UNSANDBOXED === '1' ? 'UNSANDBOXED=1' : sandboxUnavailable();
if (noSandbox && values['sandboxed-only']) {
  process.stderr.write(`--sandboxed-only: no sandbox here (${noSandbox}).\n`);
  process.exit(2);
}
const modes = noSandbox
  ? [{ name: 'without sandbox', unsandboxed: true }]
  : [{ name: 'sandboxed', unsandboxed: false }, ...(values['sandboxed-only'] ? [] : [{ name: 'without sandbox', unsandboxed: true }])];

interface Totals {
  secs: number;
  grades: StudentGrade[];
}

const root = mkdtempSync(join(tmpdir(), 'classchat-bench-'));
const starters = shippedStarters();
try {
  // One folder per batch: gradeAll grades a folder, and a batch is graded once in each mode.
  const batches: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % batch === 0) batches.push(join(root, `batch-${batches.length}`));
    const from = i % 2 === 0 ? join(kitRoot(), 'solutions') : starters.dir;
    mkdirSync(batches.at(-1)!, { recursive: true });
    cpSync(from, join(batches.at(-1)!, `student-${String(i).padStart(3, '0')}`), { recursive: true });
  }
  const totals: Totals[] = modes.map(() => ({ secs: 0, grades: [] }));
  for (const [b, dir] of batches.entries()) {
    // Alternate which mode goes first, so neither always meets a warm or a cold machine.
    const order = b % 2 === 0 ? modes.map((_, m) => m) : modes.map((_, m) => m).reverse();
    for (const m of order) {
      const started = Date.now();
      const grades = await gradeAll({ submissions: dir, stages, jobs, unsandboxed: modes[m].unsandboxed });
      totals[m].secs += (Date.now() - started) / 1000;
      totals[m].grades.push(...grades);
    }
  }
  process.stdout.write(`Graded ${count} submissions (half solutions, half starters; stages ${stages.map((s) => s.number).join(',')}) with ${jobs} jobs on ${availableParallelism()} cores` +
    `${noSandbox ? `; no sandbox here (${noSandbox})` : modes.length === 1 ? ', sandboxed' : ', in turns with and without the sandbox'}\n`);
  const rows = [
    ['', ...modes.map((m) => m.name)],
    ['wall time', ...totals.map((t) => `${t.secs.toFixed(1)} s`)],
    ['submissions/minute', ...totals.map((t) => ((count / t.secs) * 60).toFixed(1))],
    ['per submission (median, one job)', ...totals.map((t) => `${median(t.grades.map((g) => g.durationMs / 1000)).toFixed(2)} s`)],
    ['with full points', ...totals.map((t) => String(t.grades.filter((g) => g.points === g.maxPoints).length))],
    ['scores of the first two', ...totals.map((t) => t.grades.slice(0, 2).map((g) => showPoints(g.points)).join(', '))],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  process.stdout.write(rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n') + '\n');
  if (totals.length === 2) process.stdout.write(`The sandbox's cost: ${(((totals[0].secs / totals[1].secs) - 1) * 100).toFixed(1)}% more wall time.\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
