// `make progress`: every stage of the student's code graded, each row printed as soon as its
// stage finishes (on a terminal, the table redraws in place with a spinner on the stages still
// running), then the next thing to do. The results are remembered, so `make progress --cached`
// prints the last table at once.
import { chalk } from './color.ts';
import { runSuites, scoreStage, type StageScore } from './run/suites.ts';
import type { RunRecord } from './run/results.ts';
import { kitRoot, STAGES, testFile, type Stage } from './stages.ts';
import { relative } from 'node:path';
import { loadState, saveState } from './student/state.ts';
import { cachedResult, nextThing, progressRow, toResult, totalRow } from './student/results.ts';

/**
 * Follows a run's records and calls `onDone` with a stage's score as soon as every test it
 * declared has a result (or its file failed to load), while the other stages still run.
 */
export class StageTracker {
  private readonly records: RunRecord[] = [];
  private readonly done = new Set<number>();
  constructor(
    private readonly stages: readonly Stage[],
    private readonly onDone: (score: StageScore) => void,
  ) {}

  push(record: RunRecord): void {
    this.records.push(record);
    const stage = this.stages.find((s) => relative(kitRoot(), testFile(s)) === record.file);
    if (!stage || this.done.has(stage.number)) return;
    const mine = this.records.filter((r) => r.file === record.file);
    const declared = new Set(mine.filter((r) => r.type === 'declared').map((r) => r.name));
    const finished = new Set(mine.filter((r) => r.type === 'result').map((r) => r.name));
    const loadFailed = declared.size === 0 && mine.some((r) => r.type === 'file-error');
    if (loadFailed || (declared.size > 0 && [...declared].every((name) => finished.has(name)))) this.finish(scoreStage(stage, this.records, undefined));
  }

  /** Reports the stages the run never finished, with the run's own final scores. */
  flush(scores: StageScore[]): void {
    for (const score of scores) if (!this.done.has(score.stage.number)) this.finish(score);
  }

  private finish(score: StageScore): void {
    this.done.add(score.stage.number);
    this.onDone(score);
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Rows on a terminal: all stages in course order, redrawn in place as they finish. */
function liveTable(stages: readonly Stage[]) {
  const scores = new Map<number, StageScore>();
  let tick = 0;
  const draw = (first = false) => {
    if (!first) process.stdout.write(`\x1b[${stages.length}F`);
    for (const s of stages) {
      const sc = scores.get(s.number);
      process.stdout.write(`\x1b[2K${sc ? progressRow(s, sc) : progressRow(s, undefined, chalk.cyan(`${SPINNER[tick % SPINNER.length]} grading…`))}\n`);
    }
  };
  draw(true);
  const timer = setInterval(() => {
    tick++;
    draw();
  }, 100);
  return {
    done(score: StageScore) {
      scores.set(score.stage.number, score);
      draw();
    },
    end() {
      clearInterval(timer);
      draw();
    },
  };
}

/** Rows without a terminal: one line per stage as it finishes, in the order they finish. */
function logRows() {
  return {
    done: (score: StageScore) => process.stdout.write(`${progressRow(score.stage, score)}\n`),
    end: () => {},
  };
}

export async function progress(target: string, stages: readonly Stage[] = STAGES): Promise<number> {
  const live = process.stdout.isTTY ? liveTable(stages) : (process.stdout.write(`Grading ${stages.length} stages; each row appears when its stage is done.\n`), logRows());
  const tracker = new StageTracker(stages, (score) => live.done(score));
  const outcome = await runSuites({ stages, target, moduleCache: true, onRecord: (r) => tracker.push(r) });
  tracker.flush(outcome.scores);
  live.end();
  // Remember every stage's result for --cached and the watch screen.
  const state = loadState();
  for (const sc of outcome.scores) state.results[String(sc.stage.number)] = toResult(sc, target);
  saveState(state);
  const earned = outcome.scores.reduce((a, s) => a + s.earned, 0);
  const max = outcome.scores.reduce((a, s) => a + s.max, 0);
  process.stdout.write(`${totalRow(earned, max)}\n`);
  if (outcome.stopped) process.stdout.write(`${chalk.yellow('Note:')} ${outcome.stopped}.\n`);
  process.stdout.write(`\n${nextThing(new Map(outcome.scores.map((s) => [s.stage.number, s])))}\n`);
  return earned === max ? 0 : 1;
}

/** `make progress --cached`: the last results, at once, without grading anything. */
export function cachedProgress(target: string, stages: readonly Stage[] = STAGES): number {
  const state = loadState();
  const results = new Map(stages.map((s) => [s.number, cachedResult(state, s, target)]));
  const times = [...results.values()].flatMap((r) => (r ? [r.at] : []));
  if (times.length === 0) {
    process.stdout.write(`Nothing graded yet for ${relative(kitRoot(), target) || target}: run ${chalk.bold('make progress')} first.\n`);
    return 1;
  }
  process.stdout.write(chalk.dim(`The last results (graded ${ago(Math.min(...times))}; make progress grades again):\n`));
  for (const s of stages) process.stdout.write(`${progressRow(s, results.get(s.number))}\n`);
  const earned = [...results.values()].reduce((a, r) => a + (r?.earned ?? 0), 0);
  const max = stages.reduce((a, s) => a + (results.get(s.number)?.max ?? s.points), 0);
  process.stdout.write(`${totalRow(earned, max)}\n\n${nextThing(results)}\n`);
  // Nothing was graded, so nothing failed: the table is only information.
  return 0;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(at: number, now = Date.now()): string {
  const min = Math.round((now - at) / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}
