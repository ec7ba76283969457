// The scored report a student reads after `make stage-N`: every test with its points, and for
// each failure the conversation, the expectation, what arrived, one hint and the guide section.
import { chalk } from '../color.ts';
import type { StageScore, TestScore } from '../run/suites.ts';
import { stageId } from '../stages.ts';

const WIDTH = 78;

/** 0.5 → "0.5", 2 → "2": points as a person writes them. */
export const showPoints = (n: number): string => String(Math.round(n * 100) / 100);

const mark = (t: TestScore): string =>
  t.status === 'passed' ? chalk.green('✓') : t.status === 'failed' ? chalk.red('✗') : chalk.yellow('⧗');

const indent = (text: string, by: string): string => text.split('\n').map((l) => by + l).join('\n');

function formatTest(t: TestScore, verbose: boolean): string {
  const pts = `${showPoints(t.earned)}/${showPoints(t.points)}`;
  const gap = Math.max(1, WIDTH - 4 - t.name.length - pts.length);
  const head = `  ${mark(t)} ${t.name}${' '.repeat(gap)}${t.status === 'passed' ? chalk.green(pts) : chalk.red(pts)}`;
  if (t.status === 'passed' || !verbose) return head;
  const lines = [head, indent(t.message || 'The test failed without a message.', '      ')];
  if (t.hint) lines.push(`      ${chalk.cyan('Hint:')} ${t.hint}`);
  if (t.guide) lines.push(`      ${chalk.cyan('Read:')} ${t.guide}`);
  return lines.join('\n');
}

/** One stage: a title line with the score, then its tests; failures in detail when verbose. */
export function formatStage(score: StageScore, verbose = true): string {
  const title = `Stage ${score.stage.number} · ${score.stage.title}`;
  const total = `${showPoints(score.earned)} / ${showPoints(score.max)} points`;
  const full = score.earned === score.max;
  const gap = Math.max(1, WIDTH - title.length - total.length);
  const lines = [chalk.bold(`${title}${' '.repeat(gap)}${full ? chalk.green(total) : chalk.yellow(total)}`)];
  for (const t of score.tests) lines.push(formatTest(t, verbose));
  return lines.join('\n');
}

/** What to do next, in one or two lines. */
export function nextStep(score: StageScore, nextStage: number | undefined): string {
  const failed = score.tests.filter((t) => t.status !== 'passed').length;
  if (failed === 0) {
    return nextStage === undefined
      ? chalk.green('Stage passed with full points. That was the last stage: well done.')
      : chalk.green(`Stage passed with full points. Next: make stage-${nextStage}`);
  }
  const file = `stages/${stageId(score.stage)}/`;
  return `${failed} test${failed === 1 ? '' : 's'} to go. Edit ${file}, then run ${chalk.bold(`make stage-${score.stage.number} GUIDE=0`)} again.` +
    `\nGeneral hints: ${score.stage.hints.join(' ')}`;
}
