// A stage's graded result as the state file keeps it, and the rows `make progress` prints.
import { chalk } from '../color.ts';
import { showPoints } from '../report/format.ts';
import type { StageScore } from '../run/suites.ts';
import { STAGES, stageId, type Stage } from '../stages.ts';
import { updateState, type Failure, type State, type StageResult } from './state.ts';

/** The first failing test of a score, as the hint levels need it. */
export function firstFailure(score: StageScore): Failure | undefined {
  const t = score.tests.find((x) => x.status !== 'passed');
  if (!t) return undefined;
  const expected = /^Expected: (.*)$/m.exec(t.message)?.[1];
  return { name: t.name, hint: t.hint, guide: t.guide, ...(expected ? { expected } : {}) };
}

export const toResult = (score: StageScore, target: string, at = Date.now()): StageResult => ({
  earned: score.earned,
  max: score.max,
  failing: score.tests.filter((t) => t.status !== 'passed').map((t) => t.name),
  firstFailure: firstFailure(score),
  at,
  target,
});

/** Remembers a stage's latest result for `make progress --cached` and the watch screen. */
export function recordResult(score: StageScore, target: string): void {
  updateState((s) => {
    s.results[String(score.stage.number)] = toResult(score, target);
  });
}

/** The remembered result of a stage for this target, if any. */
export function cachedResult(state: State, stage: Stage, target: string): StageResult | undefined {
  const r = state.results[String(stage.number)];
  return r && r.target === target ? r : undefined;
}

export const passed = (r: { earned: number; max: number } | undefined): boolean => !!r && r.max > 0 && r.earned === r.max;

const TITLE_WIDTH = Math.max(...STAGES.map((s) => s.title.length));
const ID_WIDTH = Math.max(...STAGES.map((s) => stageId(s).length));

/** A stage's status word: each stage on its own points, whatever the other stages say. */
export function statusOf(r: { earned: number; max: number } | undefined): string {
  if (!r) return chalk.dim('not graded yet');
  if (passed(r)) return chalk.green('passed');
  return r.earned > 0 ? chalk.yellow('in progress') : chalk.dim('no points yet');
}

/** One row of the progress table; `r` undefined while the stage is still being graded. */
export function progressRow(stage: Stage, r: { earned: number; max: number } | undefined, status = statusOf(r)): string {
  const points = r ? `${showPoints(r.earned)}/${showPoints(r.max)}` : `–/${showPoints(stage.points)}`;
  return `  ${stageId(stage).padEnd(ID_WIDTH)}  ${stage.title.padEnd(TITLE_WIDTH)}  ${points.padStart(7)}  ${status}`;
}

export function totalRow(earned: number, max: number): string {
  return chalk.bold(`  ${'Total'.padEnd(ID_WIDTH + 2 + TITLE_WIDTH)}  ${`${showPoints(earned)}/${showPoints(max)}`.padStart(7)}`);
}

/** The next thing to do, after a progress table. */
export function nextThing(results: Map<number, { earned: number; max: number } | undefined>): string {
  const todo = STAGES.find((s) => !passed(results.get(s.number)));
  if (!todo) return chalk.green('Every stage passed with full points: well done.');
  const r = results.get(todo.number);
  const how = r && r.earned > 0 ? 'finish' : 'start';
  return `Next: ${how} stage ${todo.number} (${todo.title}): ${chalk.bold(`make stage-${todo.number}`)}, or ${chalk.bold(`make watch`)} to grade it on every save.`;
}
