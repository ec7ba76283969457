// `make bench-grade`: grades N generated submissions (half copies of the solutions, half of the
// starters) and prints how fast the grader goes. A benchmark: it prints figures, it asserts nothing.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { showPoints } from '../report/format.ts';
import { shippedStarters } from '../starters.ts';
import { kitRoot, parseStageList } from '../stages.ts';
import { gradeAll } from './grade.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '20' }, jobs: { type: 'string' }, stages: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write('Usage: node --import tsx kit/grader/bench.ts [--count N] [--jobs N] [--stages 1-6]\n');
  process.exit(0);
}
const count = Number(values.count);
const jobs = values.jobs ? Number(values.jobs) : availableParallelism();
const stages = parseStageList(values.stages);

const dir = mkdtempSync(join(tmpdir(), 'classchat-bench-'));
const starters = shippedStarters();
try {
  for (let i = 0; i < count; i++) {
    const from = i % 2 === 0 ? join(kitRoot(), 'solutions') : starters.dir;
    cpSync(from, join(dir, `student-${String(i).padStart(3, '0')}`), { recursive: true });
  }
  const cpu0 = process.cpuUsage();
  const started = Date.now();
  const grades = await gradeAll({ submissions: dir, stages, jobs, unsandboxed: process.env.UNSANDBOXED === '1' });
  const secs = (Date.now() - started) / 1000;
  const full = grades.filter((g) => g.points === g.maxPoints).length;
  const perSub = grades.map((g) => g.durationMs / 1000).sort((a, b) => a - b);
  process.stdout.write(
    `Graded ${count} submissions (${full} with full points, stages ${stages.map((s) => s.number).join(',')}) with ${jobs} jobs on ${availableParallelism()} cores\n` +
      `  wall time           ${secs.toFixed(1)} s\n` +
      `  throughput          ${((count / secs) * 60).toFixed(1)} submissions/minute\n` +
      `  per submission      median ${perSub[Math.floor(perSub.length / 2)].toFixed(2)} s, max ${perSub[perSub.length - 1].toFixed(2)} s (wall, one job)\n` +
      `  wall per submission ${(secs / count).toFixed(2)} s\n` +
      `  grader process CPU  ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(1)} s (children not counted)\n` +
      `  100 submissions     ~${((secs / count) * 100 / 60).toFixed(1)} min at this rate; scores ${grades.slice(0, 2).map((g) => showPoints(g.points)).join(', ')}, …\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
}
