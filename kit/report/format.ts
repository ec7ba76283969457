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

export const indentText = (text: string, by: string): string => text.split('\n').map((l) => by + l).join('\n');

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    for (let rest = word; ; ) {
      const candidate = line ? `${line} ${rest}` : rest;
      if (candidate.length <= width) {
        line = candidate;
        break;
      }
      if (line) {
        lines.push(line);
        line = '';
        continue;
      }
      // One word longer than the line: cut it.
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      if (!rest) break;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

// The points column: "0.5/0.5" is the widest a stage has; wider values still line up on the right.
const POINTS_COLUMN = 7;

function formatTest(t: TestScore, verbose: boolean): string {
  const pts = `${showPoints(t.earned)}/${showPoints(t.points)}`;
  const nameWidth = WIDTH - 4 - 2 - Math.max(POINTS_COLUMN, pts.length);
  // A long name wraps under itself, so the points stay in one column whatever the name.
  const [first, ...more] = wrapWords(t.name, nameWidth);
  const coloured = t.status === 'passed' ? chalk.green(pts) : chalk.red(pts);
  const head = [`  ${mark(t)} ${first.padEnd(nameWidth)}  ${' '.repeat(Math.max(0, POINTS_COLUMN - pts.length))}${coloured}`, ...more.map((l) => `    ${l}`)].join('\n');
  if (t.status === 'passed' || !verbose) return head;
  return [head, failureDetail(t)].join('\n');
}

/** What failed, the hint and the guide section, indented under the test's line. */
export function failureDetail(t: TestScore, hint = t.hint): string {
  const lines = [indentText(t.message || 'The test failed without a message.', '      ')];
  if (hint) lines.push(`      ${chalk.cyan('Hint:')} ${hint}`);
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
  const n = score.stage.number;
  return `${failed} test${failed === 1 ? '' : 's'} to go. Edit ${file}, then run ${chalk.bold(`make stage-${n}`)} again, or leave ${chalk.bold('make watch')} running to grade on every save.` +
    `\nStuck? ${chalk.bold(`make hint-${n}`)} goes one level deeper each time; ${chalk.bold(`make try-${n}`)} runs your code by hand.`;
}
