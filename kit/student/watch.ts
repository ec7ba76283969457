// `make watch` (or `make stage-N WATCH=1`): grades one stage on every save of its files and
// redraws the screen: the report, the first failing test with its hint (deeper with `h`), a
// progress bar, and the keys. Saves are seen through Node's fs.watch on the stage's folder (an
// inotify watch on Linux, no polling); a burst of editor events grades once. Where file events
// never come (network drives, some WSL setups) `r` grades by hand.
import type { FSWatcher } from 'node:fs';
import { createInterface } from 'node:readline';
import { chalk } from '../color.ts';
import { page } from '../guide/pager.ts';
import { renderFile } from '../guide/render.ts';
import { shortPath } from '../harness/target.ts';
import { formatStage, indentText, showPoints } from '../report/format.ts';
import { onAbort } from '../run/abort.ts';
import type { StageScore } from '../run/suites.ts';
import { guideFile, STAGES, stageDir, type Stage } from '../stages.ts';
import { gradeStage, showChapter } from '../walkthrough.ts';
import { watchSaves } from './debounce.ts';
import { formatHints, hintLevelFor, hintLevels, revealNextHint, type HintLevel } from './hints.ts';
import { cachedResult, firstFailure, passed } from './results.ts';
import { loadState } from './state.ts';
import { ago } from '../progress.ts';

/** Quiet time that ends a burst of editor events. */
export const SAVE_QUIET_MS = 150;

export interface WatchOptions {
  /** The stage to watch; by default the first one not passed the last time it was graded. */
  stage?: Stage;
  target: string;
  guide: 'auto' | 'full' | 'intro' | 'none';
}

export interface Screen {
  stage: Stage;
  target: string;
  score?: StageScore;
  running: boolean;
  /** What started the current or last run ("a change to endpoint.ts", "r"). */
  reason: string;
  hints?: { levels: HintLevel[]; level: number };
  gradedInMs?: number;
  /** From the file event to the redrawn report, for the last run started by a save. */
  saveToScreenMs?: number;
  note?: string;
  width: number;
}

/** A bar of the course: stages passed and points, from the last results of every stage. */
export function progressBar(target: string, width = 30): string {
  const state = loadState();
  const results = STAGES.map((s) => cachedResult(state, s, target));
  const done = results.filter((r) => passed(r)).length;
  const points = results.reduce((a, r) => a + (r?.earned ?? 0), 0);
  const max = STAGES.reduce((a, s) => a + s.points, 0);
  const filled = Math.round((points / max) * width);
  return `${chalk.green('█'.repeat(filled))}${chalk.dim('░'.repeat(width - filled))} ${done}/${STAGES.length} stages passed · ${showPoints(points)}/${showPoints(max)} points`;
}

/** The whole watch screen as text. */
export function watchScreen(s: Screen): string {
  const folder = shortPath(stageDir(s.stage, s.target));
  const timing = s.gradedInMs === undefined ? '' : chalk.dim(` · graded in ${(s.gradedInMs / 1000).toFixed(1)} s${s.saveToScreenMs === undefined ? '' : `, save → screen ${(s.saveToScreenMs / 1000).toFixed(1)} s`}`);
  const lines = [`${chalk.bold('ClassChat Lab · watch')} · ${folder}/ (${s.stage.files.join(', ')})${timing}`, ''];
  if (s.running) lines.push(chalk.cyan(`⟳ grading stage ${s.stage.number} (${s.reason}) …`), '');
  // Before the first run ends, the remembered result answers at once.
  const last = s.score ? undefined : cachedResult(loadState(), s.stage, s.target);
  if (last) lines.push(chalk.dim(`Last graded ${ago(last.at)}: ${showPoints(last.earned)}/${showPoints(last.max)} points${last.firstFailure ? `; first failing: ${last.firstFailure.name}` : ''}`), '');
  if (s.score) {
    lines.push(formatStage(s.score, false), '');
    const failing = s.score.tests.find((t) => t.status !== 'passed');
    if (failing) {
      lines.push(chalk.bold(`First failing test: ${failing.name}`), indentText(failing.message || 'The test failed without a message.', '  '));
      if (failing.guide) lines.push(`  ${chalk.cyan('Read:')} ${failing.guide}`);
      if (s.hints) lines.push('', formatHints(s.hints.levels, s.hints.level, s.width - 2));
      lines.push('');
    } else {
      lines.push(chalk.green(`Stage ${s.stage.number} passed with full points.`), '');
    }
  } else if (!s.running) lines.push('Not graded yet: press r.', '');
  if (s.note) lines.push(chalk.yellow(s.note), '');
  lines.push(progressBar(s.target));
  const next = STAGES.find((x) => x.number > s.stage.number);
  const canGoOn = passed(s.score) && next;
  const more = s.hints && s.hints.level < s.hints.levels.length;
  const keys = [
    more ? 'h next hint' : chalk.dim('h next hint'),
    'g chapter',
    canGoOn ? chalk.bold(`n next stage (${next.number})`) : chalk.dim('n next stage (once passed)'),
    'r re-run',
    'q quit',
  ];
  lines.push(`Keys: ${keys.join(' · ')}`, chalk.dim('Saving a file grades again.'));
  return `${lines.join('\n')}\n`;
}

/** Picks the stage to start with: the first one not passed the last time it was graded. */
export function firstNotPassed(target: string): Stage {
  const state = loadState();
  return STAGES.find((s) => !passed(cachedResult(state, s, target))) ?? STAGES[STAGES.length - 1];
}

export function watch(opts: WatchOptions): Promise<number> {
  const tty = !!process.stdout.isTTY;
  let stage = opts.stage ?? firstNotPassed(opts.target);
  let score: StageScore | undefined;
  let running = false;
  let again: string | undefined;
  let reason = 'start';
  let savedAt: number | undefined;
  let gradedInMs: number | undefined;
  let saveToScreenMs: number | undefined;
  let note: string | undefined;
  let watcher: FSWatcher | undefined;

  const hints = () => {
    const f = score && firstFailure(score);
    if (!f) return undefined;
    const levels = hintLevels(stage, f);
    return { levels, level: Math.min(levels.length, hintLevelFor(stage, f.name)) };
  };
  const draw = () => {
    // Cleared and drawn from the top, as rustlings does; a log (no terminal) gets a rule instead.
    process.stdout.write(tty ? '\x1b[2J\x1b[3J\x1b[H' : `${'─'.repeat(60)}\n`);
    process.stdout.write(watchScreen({ stage, target: opts.target, score, running, reason, hints: hints(), gradedInMs, saveToScreenMs, note, width: process.stdout.columns || 80 }));
  };

  const grade = async (why: string) => {
    if (running) {
      again = why; // one more run once this one ends, with the newest files
      return;
    }
    running = true;
    reason = why;
    draw();
    const started = Date.now();
    const triggeredAt = why.startsWith('a change') ? savedAt : undefined;
    const outcome = await gradeStage(stage, opts.target);
    score = outcome.scores[0];
    note = outcome.stopped ? `Note: ${outcome.stopped}.` : undefined;
    running = false;
    gradedInMs = Date.now() - started;
    if (again === undefined) {
      saveToScreenMs = triggeredAt === undefined ? undefined : Date.now() - triggeredAt;
      draw();
    } else {
      const next = again;
      again = undefined;
      void grade(next);
    }
  };

  const watchStage = () => {
    watcher?.close();
    const folder = stageDir(stage, opts.target);
    try {
      watcher = watchSaves(folder, (file, startedAt) => {
        savedAt = startedAt;
        void grade(`a change to ${file ?? 'a file'}`);
      }, SAVE_QUIET_MS);
      watcher.on('error', () => {
        note = `File events stopped for ${shortPath(folder)}: press r to grade by hand.`;
      });
    } catch (err) {
      note = `Cannot watch ${shortPath(folder)} (${(err as Error).message}): press r to grade by hand.`;
    }
  };

  return new Promise((resolve) => {
    const input = process.stdin;
    const rl = input.isTTY ? undefined : createInterface({ input });
    const quit = (code: number) => {
      watcher?.close();
      unregister();
      if (input.isTTY) input.setRawMode(false);
      rl?.close();
      // A pipe the other side keeps open would hold the process: let go of stdin for good.
      input.destroy();
      process.stdout.write('\n');
      resolve(code);
    };
    const unregister = onAbort(() => quit(130));
    const key = (k: string) => {
      switch (k) {
        case 'q':
        case '\u0003': // Ctrl-C in raw mode
        case '\u0004':
          quit(0);
          return;
        case 'r':
          void grade('r');
          return;
        case 'h': {
          const f = score && firstFailure(score);
          if (f) revealNextHint(stage, f.name, hintLevels(stage, f).length);
          if (!running) draw();
          return;
        }
        case 'g':
          if (input.isTTY) input.setRawMode(false);
          page(renderFile(guideFile(stage)));
          if (input.isTTY) input.setRawMode(true);
          if (!running) draw();
          return;
        case 'n': {
          const next = STAGES.find((x) => x.number > stage.number);
          if (!passed(score) || !next || running) return;
          stage = next;
          score = undefined;
          gradedInMs = saveToScreenMs = undefined;
          watchStage();
          void showChapter(stage, opts.guide).then(() => grade(`stage ${stage.number}`));
          return;
        }
      }
    };
    if (input.isTTY) {
      input.setRawMode(true);
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => {
        for (const k of chunk) key(k);
      });
    } else {
      rl?.on('line', (line) => key(line.trim()[0] ?? ''));
      rl?.on('close', () => quit(0));
    }
    watchStage();
    void showChapter(stage, opts.guide).then(() => grade('start'));
  });
}
