// `make stage-N`: the chapter, then the student's stage graded, then what to do next.
// The first time the whole chapter is shown (in a pager on a terminal); afterwards only its
// "What you build" part, with the command for the rest. Exit code 0 only with full points.
import { existsSync, readFileSync } from 'node:fs';
import { chalk } from './color.ts';
import { formatStage, nextStep, showPoints } from './report/format.ts';
import { shortPath } from './harness/target.ts';
import { runSuites, type RunOutcome } from './run/suites.ts';
import { guideFile, STAGES, stageDir, stageId, type Stage } from './stages.ts';
import { loadState, updateState } from './student/state.ts';
import { recordResult } from './student/results.ts';

export interface WalkOptions {
  stage: Stage;
  target: string;
  /** 'full', 'intro', 'none', or 'auto': full the first time, the intro afterwards. */
  guide: 'auto' | 'full' | 'intro' | 'none';
}

/** Whether showChapter shows the whole chapter (in a pager on a terminal) rather than its intro. */
const showsFullChapter = (stage: Stage, guide: WalkOptions['guide']): boolean =>
  guide === 'full' || (guide === 'auto' && !loadState().guideShown.includes(stage.number));

/** Shows the chapter as `guide` asks and remembers that the full one was seen. */
export async function showChapter(stage: Stage, guide: WalkOptions['guide']): Promise<void> {
  if (guide === 'none') return;
  // Imported here: loading the markdown renderer takes a third of a second, which walkStage spends
  // while the run starts.
  const [{ page }, { introOf, renderMarkdown }] = await Promise.all([import('./guide/pager.ts'), import('./guide/render.ts')]);
  const markdown = readFileSync(guideFile(stage), 'utf8');
  if (showsFullChapter(stage, guide)) {
    page(renderMarkdown(markdown));
    updateState((s) => {
      if (!s.guideShown.includes(stage.number)) s.guideShown.push(stage.number);
    });
  } else {
    process.stdout.write(renderMarkdown(introOf(markdown)));
    process.stdout.write(chalk.dim(`(The whole chapter: make guide-${stage.number}. Hints: make hint-${stage.number}.)\n`));
  }
  process.stdout.write(`${chalk.dim('─'.repeat(40))}\n\n`);
}

/** Grades one stage, remembers the result, and returns the outcome and how long it took. */
export async function gradeStage(stage: Stage, target: string): Promise<RunOutcome & { tookMs: number }> {
  const started = Date.now();
  const outcome = await runSuites({ stages: [stage], target, moduleCache: true });
  recordResult(outcome.scores[0], target);
  return { ...outcome, tookMs: Date.now() - started };
}

export async function walkStage({ stage, target, guide }: WalkOptions): Promise<number> {
  const folder = stageDir(stage, target);
  const present = existsSync(folder);
  // The run starts before the chapter's intro is rendered, so the two overlap. Not before a whole
  // chapter: its pager blocks this process, and with it the run's watchdog.
  const grading = present && !showsFullChapter(stage, guide) ? gradeStage(stage, target) : undefined;
  await showChapter(stage, guide);
  if (!present) {
    process.stderr.write(`There is no folder ${shortPath(folder)}: TARGET must be laid out like stages/ (e.g. ${stageId(stage)}/).\n`);
    return 2;
  }
  process.stdout.write(`Grading ${chalk.bold(shortPath(folder))} …\n\n`);
  const outcome = await (grading ?? gradeStage(stage, target));
  const [score] = outcome.scores;
  process.stdout.write(`${formatStage(score)}\n\n`);
  if (outcome.stopped) process.stdout.write(`${chalk.yellow('Note:')} ${outcome.stopped}.\n`);
  if (outcome.runnerError) process.stdout.write(`${chalk.yellow('The test runner said:')}\n${outcome.runnerError}\n`);
  const next = STAGES.find((s) => s.number > stage.number)?.number;
  process.stdout.write(`${nextStep(score, next)}\n`);
  process.stdout.write(chalk.dim(`(${showPoints(score.earned)}/${showPoints(score.max)} points, graded in ${(outcome.tookMs / 1000).toFixed(1)} s)\n`));
  return score.earned === score.max ? 0 : 1;
}
