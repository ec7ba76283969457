// `make stage-N`: the chapter, then the student's stage graded, then what to do next.
// Exit code 0 only when the stage has full points.
import { existsSync } from 'node:fs';
import { chalk } from './color.ts';
import { renderFile } from './guide/render.ts';
import { formatStage, nextStep, showPoints } from './report/format.ts';
import { shortPath } from './harness/target.ts';
import { runSuites } from './run/suites.ts';
import { guideFile, STAGES, stageDir, stageId, type Stage } from './stages.ts';

export interface WalkOptions {
  stage: Stage;
  target: string;
  showGuide: boolean;
}

export async function walkStage({ stage, target, showGuide }: WalkOptions): Promise<number> {
  if (showGuide) {
    process.stdout.write(renderFile(guideFile(stage)));
    process.stdout.write(`${chalk.dim('─'.repeat(40))}\n\n`);
  }
  const folder = stageDir(stage, target);
  if (!existsSync(folder)) {
    process.stderr.write(`There is no folder ${shortPath(folder)}: TARGET must be laid out like stages/ (e.g. ${stageId(stage)}/).\n`);
    return 2;
  }
  process.stdout.write(`Grading ${chalk.bold(shortPath(folder))} …\n\n`);
  const started = Date.now();
  const outcome = await runSuites({ stages: [stage], target });
  const [score] = outcome.scores;
  process.stdout.write(`${formatStage(score)}\n\n`);
  if (outcome.stopped) process.stdout.write(`${chalk.yellow('Note:')} ${outcome.stopped}.\n`);
  if (outcome.runnerError) process.stdout.write(`${chalk.yellow('The test runner said:')}\n${outcome.runnerError}\n`);
  const next = STAGES.find((s) => s.number > stage.number)?.number;
  process.stdout.write(`${nextStep(score, next)}\n`);
  process.stdout.write(chalk.dim(`(${showPoints(score.earned)}/${showPoints(score.max)} points, graded in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`));
  return score.earned === score.max ? 0 : 1;
}
