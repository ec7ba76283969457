// `make progress`: every stage of the student's code graded, one row each.
import { chalk } from './color.ts';
import { showPoints } from './report/format.ts';
import { runSuites } from './run/suites.ts';
import { STAGES, stageId } from './stages.ts';

export async function progress(target: string): Promise<number> {
  const { scores } = await runSuites({ stages: STAGES, target });
  let earned = 0;
  let max = 0;
  for (const sc of scores) {
    earned += sc.earned;
    max += sc.max;
    const done = sc.earned === sc.max;
    const status = done ? chalk.green('done') : sc.earned > 0 ? chalk.yellow('in progress') : chalk.dim('not started');
    process.stdout.write(`  ${stageId(sc.stage).padEnd(12)} ${sc.stage.title.padEnd(34)} ${`${showPoints(sc.earned)}/${showPoints(sc.max)}`.padStart(7)}  ${status}\n`);
  }
  process.stdout.write(chalk.bold(`  ${'Total'.padEnd(47)} ${`${showPoints(earned)}/${showPoints(max)}`.padStart(7)}\n`));
  return earned === max ? 0 : 1;
}
