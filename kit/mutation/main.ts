// `make mutation`: the kit grading itself. Every mutant (a documented mistake applied to the
// reference solution) must lose points on its stage, every variant (a correct rewrite) must keep
// them all, and every Common-mistakes bullet and protocol rule must be covered.
// Options: --stages 1-3 (only those; the protocol-wide coverage check is skipped), --jobs N.
import { chalk } from '../color.ts';
import { showPoints } from '../report/format.ts';
import { aborted, stopRunsOnSignals } from '../run/abort.ts';
import { parseStageList, stageId, STAGES } from '../stages.ts';
import { removeStaleCopies } from './edits.ts';
import { gradeAll, type Graded, type Job } from './grade.ts';
import { chapterMistakes, loadStage, protocolDuties, stageProblems, uncoveredRules, type StageMutations } from './plan.ts';

const DEFAULT_JOBS = 3;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const firstLine = (text: string): string => text.split('\n').filter((l) => l.trim()).at(-1)?.trim() ?? '';

function mutantRow(g: Graded, covers: string[]): string[] {
  const caught = !g.broken && g.earned < g.max;
  const mark = caught ? chalk.green('✓') : chalk.red('✗');
  const lost = showPoints(g.max - g.earned);
  const head = `  ${mark} ${g.job.name.padEnd(34)} −${lost.padEnd(4)} [${covers.join(', ')}]`;
  if (g.broken) return [head, `      ${chalk.red('broken:')} ${g.broken}`];
  if (!caught) return [head, `      ${chalk.red('kept full points: no test caught it')}`];
  return [head, ...g.lost.map((t) => `      caught by: ${t.name} (−${showPoints(t.points - t.earned)})`)];
}

function variantRow(g: Graded): string[] {
  const ok = !g.broken && g.earned === g.max;
  const head = `  ${ok ? chalk.green('✓') : chalk.red('✗')} ${g.job.name.padEnd(34)} ${showPoints(g.earned)}/${showPoints(g.max)}`;
  if (g.broken) return [head, `      ${chalk.red('broken:')} ${g.broken}`];
  return [head, ...g.lost.map((t) => `      ${chalk.red('lost')} ${showPoints(t.points - t.earned)}: ${t.name}: ${firstLine(t.message)}`)];
}

async function main(): Promise<number> {
  stopRunsOnSignals();
  removeStaleCopies();
  const started = Date.now();
  const stagesOpt = option('--stages') ?? process.env.STAGES;
  const stages = parseStageList(stagesOpt);
  const jobsOpt = Number(option('--jobs') ?? process.env.JOBS ?? DEFAULT_JOBS);
  const parallel = Number.isInteger(jobsOpt) && jobsOpt > 0 ? jobsOpt : DEFAULT_JOBS;
  const rules = protocolDuties();
  const problems: string[] = [];
  const loaded: StageMutations[] = [];
  for (const stage of stages) {
    const sm = await loadStage(stage);
    if (typeof sm === 'string') problems.push(sm);
    else {
      loaded.push(sm);
      problems.push(...stageProblems(sm, chapterMistakes(stage), rules));
    }
  }
  if (stages.length === STAGES.length) problems.push(...uncoveredRules(loaded, rules));

  const jobs: Job[] = loaded.flatMap((sm) => [
    ...sm.mutants.map((m): Job => ({ stage: sm.stage, kind: 'mutant', name: m.name, edits: m.edits })),
    ...sm.variants.map((v): Job => ({ stage: sm.stage, kind: 'variant', name: v.name, edits: v.edits })),
  ]);
  // The long runs first (the program stages start processes, the later stages have more tests), so
  // the parallel slots end together instead of one long run at the end.
  const order = [...jobs].sort((a, b) => b.stage.points - a.stage.points);
  process.stdout.write(`Mutation check: ${jobs.length} runs (${parallel} at a time) over ${loaded.length} stage(s)\n`);
  let finished = 0;
  const results = await gradeAll(order, parallel, (g) => {
    finished++;
    if (process.stderr.isTTY) process.stderr.write(`\r  ${finished}/${jobs.length} ${g.job.name}\x1b[K`);
    else if (finished % 20 === 0) process.stdout.write(`  ${finished}/${jobs.length} runs done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

  let passed = 0;
  let failed = 0;
  for (const sm of loaded) {
    const mine = results.filter((g) => g.job.stage === sm.stage);
    const lines = [chalk.bold(`\n${stageId(sm.stage)} · ${sm.stage.title} (${sm.stage.points} points)`), '  mutant                               lost  covers'];
    for (const g of mine.filter((x) => x.job.kind === 'mutant')) {
      const ok = !g.broken && g.earned < g.max;
      if (ok) passed++;
      else failed++;
      lines.push(...mutantRow(g, sm.mutants.find((m) => m.name === g.job.name)?.covers ?? []));
    }
    lines.push('  variant (must keep every point)');
    for (const g of mine.filter((x) => x.job.kind === 'variant')) {
      const ok = !g.broken && g.earned === g.max;
      if (ok) passed++;
      else failed++;
      lines.push(...variantRow(g));
    }
    if (sm.unobservable.length > 0) {
      lines.push('  not observable on the wire');
      for (const u of sm.unobservable) lines.push(`  · ${u.name} [${u.covers.join(', ')}]: ${u.why}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (stages.length !== STAGES.length) process.stdout.write('\n(protocol rules: coverage across all stages not checked, only some stages ran)\n');
  if (problems.length > 0) {
    process.stdout.write(`\n${chalk.red('Problems:')}\n${problems.map((p) => `  ✗ ${p}`).join('\n')}\n`);
  }
  failed += problems.length;
  if (results.length < jobs.length) {
    failed += jobs.length - results.length;
    process.stdout.write(`${jobs.length - results.length} runs did not happen (${aborted() ?? 'stopped'})\n`);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`mutation: ${passed} passed, ${failed} failed (${secs} s)\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
