// `make stage-N`: the chapter, then the student's stage graded, then what to do next.
// The first time the whole chapter is shown (in a pager on a terminal); afterwards only its
// "What you build" part, with the command for the rest. Exit code 0 only with full points.
import { existsSync, readFileSync } from 'node:fs';
import { chalk } from './color.ts';
import { page } from './guide/pager.ts';
import { introOf, renderMarkdown } from './guide/render.ts';
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

/** Shows the chapter as `guide` asks and remembers that the full one was seen. */
export function showChapter(stage: Stage, guide: WalkOptions['guide']): void {
  if (guide === 'none') return;
  const markdown = readFileSync(guideFile(stage), 'utf8');
  const full = guide === 'full' || (guide === 'auto' && !loadState().guideShown.includes(stage.number));
  if (full) {
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

/** Grades one stage, remembers the result, and returns the outcome. */
export async function gradeStage(stage: Stage, target: string): Promise<RunOutcome> {
  const outcome = await runSuites({ stages: [stage], target, moduleCache: true });
  recordResult(outcome.scores[0], target);
  return outcome;
}

export async function walkStage({ stage, target, guide }: WalkOptions): Promise<number> {
  showChapter(stage, guide);
  const folder = stageDir(stage, target);
  if (!existsSync(folder)) {
    process.stderr.write(`There is no folder ${shortPath(folder)}: TARGET must be laid out like stages/ (e.g. ${stageId(stage)}/).\n`);
    return 2;
  }
  process.stdout.write(`Grading ${chalk.bold(shortPath(folder))} …\n\n`);
  const started = Date.now();
  const outcome = await gradeStage(stage, target);
  const [score] = outcome.scores;
  process.stdout.write(`${formatStage(score)}\n\n`);
  if (outcome.stopped) process.stdout.write(`${chalk.yellow('Note:')} ${outcome.stopped}.\n`);
  if (outcome.runnerError) process.stdout.write(`${chalk.yellow('The test runner said:')}\n${outcome.runnerError}\n`);
  const next = STAGES.find((s) => s.number > stage.number)?.number;
  process.stdout.write(`${nextStep(score, next)}\n`);
  process.stdout.write(chalk.dim(`(${showPoints(score.earned)}/${showPoints(score.max)} points, graded in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`));
  return score.earned === score.max ? 0 : 1;
}
