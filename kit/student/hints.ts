// Hints in levels for a stage's first failing test, each level a step closer to the answer:
//   1. the check's own hint (what the report shows),
//   2. the stage's general hints from the manifest,
//   3. the section of the chapter the check names,
//   4. the rule of the protocol the check enforces, word for word.
// `make hint-N` and `h` in watch mode reveal one more level; the level is remembered per stage
// (and starts again when a different test is the first to fail).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chalk } from '../color.ts';
import { page } from '../guide/pager.ts';
import { renderMarkdown } from '../guide/render.ts';
import { shortPath } from '../harness/target.ts';
import { showPoints } from '../report/format.ts';
import { guideFile, kitRoot, stageDir, type Stage } from '../stages.ts';
import { gradeStage } from '../walkthrough.ts';
import { diffFiles } from './diff.ts';
import { cachedResult, passed } from './results.ts';
import { loadState, updateState, type Failure } from './state.ts';

export interface HintLevel {
  title: string;
  /** Markdown. */
  text: string;
}

const PROTOCOL = (): string => join(kitRoot(), 'guide', 'protocol.md');

/** The text of `## heading` in a markdown file (without the heading line), or undefined. */
export function sectionOf(markdown: string, heading: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#{2,4} /.test(l) && l.replace(/^#+ /, '').trim() === heading.trim());
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start])?.[0].length ?? 2;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}} `).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
}

/** `guide/03-accept.md § The busy rule` → its file and heading. */
export function parseGuideRef(ref: string): { file: string; heading: string } | undefined {
  const m = /^\s*(\S+\.md)\s*§\s*(.+?)\s*$/.exec(ref);
  return m ? { file: join(kitRoot(), m[1]), heading: m[2] } : undefined;
}

export interface ProtocolRule {
  /** Where it is, e.g. `guide/protocol.md § The server, rule by rule, rule 6`. */
  where: string;
  text: string;
  /** The course tasks its part of the protocol is about ("# Part 2: Tasks 2–4"; before any part: Task 1). */
  tasks: number[];
}

/** "Part 2: Tasks 2–4" → [2, 3, 4]; "(Task 1)" → [1]. */
export function tasksIn(heading: string): number[] | undefined {
  const m = /Tasks? (\d+)(?:\s*[–-]\s*(\d+))?/.exec(heading);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// Sections of the protocol that are examples or history, not rules.
const NOT_RULES = /sample session|every line the server sends|another language|differently|test cases/i;

/** Every rule of the protocol: each numbered item, bullet and paragraph of its rule sections. */
export function protocolRules(markdown: string): ProtocolRule[] {
  const rules: ProtocolRule[] = [];
  let section = '';
  let block: string[] = [];
  let fenced = false;
  const counts = new Map<string, number>();
  const flush = () => {
    const text = block.join('\n').trim();
    block = [];
    if (!text || !section || NOT_RULES.test(section)) return;
    const n = /^(\d+)\. /.exec(text)?.[1];
    const kind = n ? 'rule' : text.startsWith('- ') ? 'point' : 'paragraph';
    const count = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, count);
    rules.push({ where: `guide/protocol.md § ${section}, ${kind} ${n ?? count}`, text, tasks });
  };
  let tasks = tasksIn(markdown.split('\n')[0]) ?? [1];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && /^#{1,2} Part /.test(line)) tasks = tasksIn(line) ?? tasks;
    if (!fenced && /^#{1,4} /.test(line)) {
      flush();
      section = line.replace(/^#+ /, '').trim();
      counts.clear();
    } else if (!fenced && (/^\s*$/.test(line) || /^(\d+\.|-) /.test(line))) {
      flush();
      if (line.trim()) block.push(line);
    } else block.push(line);
  }
  flush();
  return rules;
}

const STOP = new Set('the and that this with from for its their your then than when what which while once into each every only must does not are was has have one two any all but can get gets given test tests check after before back about text line lines'.split(' '));

/**
 * The words of a text for matching: identifiers split (DEFAULT_HOST, resolveEndpoint → default,
 * host, resolve, endpoint), plurals folded, and numbers such as 12345 or 127.0.0.1 kept whole.
 */
export function wordsOf(text: string): string[] {
  const spaced = text.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  const words = (spaced.match(/[a-z][a-z0-9]{2,}/g) ?? []).map((w) => (w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
  const numbers = spaced.match(/\d+(?:\.\d+){3}|\d{3,}/g) ?? [];
  return [...words.filter((w) => !STOP.has(w)), ...numbers];
}

/**
 * The protocol rule a failing check is most about: the rule sharing the most distinctive words
 * (weighted by how rare each word is among the rules) with the check's name, hint and expectation.
 */
export function matchRule(rules: ProtocolRule[], about: string): ProtocolRule | undefined {
  const docs = rules.map((r) => new Set(wordsOf(r.text)));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d) df.set(w, (df.get(w) ?? 0) + 1);
  const query = new Set(wordsOf(about));
  let best: ProtocolRule | undefined;
  let bestScore = 0;
  rules.forEach((rule, i) => {
    let score = 0;
    for (const w of query) if (docs[i].has(w)) score += Math.log((rules.length + 1) / (df.get(w) ?? 1));
    // A numbered rule or a point says exactly what is required; an introduction only sets the scene.
    if (rule.where.includes(', paragraph ')) score *= 0.6;
    if (score > bestScore) [best, bestScore] = [rule, score];
  });
  return best;
}

/** The levels for one failing check, empty levels left out. */
export function hintLevels(stage: Stage, failure: Failure): HintLevel[] {
  const levels: HintLevel[] = [];
  if (failure.hint) levels.push({ title: 'Hint', text: failure.hint });
  if (stage.hints.length > 0) levels.push({ title: `What usually goes wrong in stage ${stage.number}`, text: stage.hints.map((h) => `- ${h}`).join('\n') });
  const ref = parseGuideRef(failure.guide);
  const protocolText = readFileSync(PROTOCOL(), 'utf8');
  if (ref && existsSync(ref.file)) {
    const section = sectionOf(readFileSync(ref.file, 'utf8'), ref.heading);
    if (section) levels.push({ title: `From ${failure.guide}`, text: section });
  }
  // The rules of the stage's own task first (Task 1's rules still hold later, so they come next).
  const rules = protocolRules(protocolText);
  const about = `${failure.name} ${failure.hint} ${failure.expected ?? ''}`;
  const rule = ref?.file === PROTOCOL() ? undefined : matchRule(rules.filter((r) => r.tasks.includes(stage.task)), about) ?? matchRule(rules, about);
  if (rule) levels.push({ title: `The rule: ${rule.where}`, text: rule.text.replace(/^(\d+\.|-) /, '') });
  return levels;
}

/** Levels 1…`level` as terminal text, the deepest last. */
export function formatHints(levels: HintLevel[], level: number, width?: number): string {
  const shown = levels.slice(0, Math.max(1, level));
  return shown
    .map((l, i) => `${chalk.cyan(`Hint ${i + 1} of ${levels.length} · ${l.title}`)}\n${renderMarkdown(l.text, width).trimEnd()}`)
    .join('\n\n');
}

/** The remembered hint level for a stage's first failing test (1 when the test changed). */
export function hintLevelFor(stage: Stage, test: string): number {
  const h = loadState().hints[String(stage.number)];
  return h && h.test === test ? h.level : 1;
}

/** Reveals the next level for `test`; returns the new level (never past the last). */
export function revealNextHint(stage: Stage, test: string, count: number): number {
  const next = Math.min(count, hintLevelFor(stage, test) + 1);
  updateState((s) => {
    s.hints[String(stage.number)] = { test, level: next };
  });
  return next;
}

/** `make hint-N`: one more level of help for stage N's first failing test. */
export async function showNextHint(stage: Stage, target: string): Promise<number> {
  let result = cachedResult(loadState(), stage, target);
  if (!result) {
    process.stdout.write(`Grading ${shortPath(stageDir(stage, target))} first …\n`);
    await gradeStage(stage, target);
    result = cachedResult(loadState(), stage, target);
  }
  const failure = result?.firstFailure;
  if (!result || passed(result) || !failure) {
    process.stdout.write(chalk.green(`Stage ${stage.number} passed the last time it was graded: no hint needed.`) + ` (make stage-${stage.number} grades it again.)\n`);
    return 0;
  }
  const levels = hintLevels(stage, failure);
  const level = revealNextHint(stage, failure.name, levels.length);
  const last = level >= levels.length ? chalk.dim('That is the deepest level: the exact rule. Next, compare with what your code sends.') : chalk.dim(`make hint-${stage.number} again for the next level.`);
  process.stdout.write(`${chalk.bold(`Stage ${stage.number}, first failing test:`)} ${failure.name}\n\n${formatHints(levels, level)}\n\n${last}\n`);
  return 0;
}

/** `make solution-N`: the reference solution as a diff against the student's files, once passed. */
export async function showSolution(stage: Stage, target: string, force: boolean): Promise<number> {
  const solutions = stageDir(stage, join(kitRoot(), 'solutions'));
  if (!existsSync(solutions)) {
    process.stderr.write('This copy of the kit has no solutions/ folder, so there is no solution to show.\n');
    return 1;
  }
  if (!force) {
    process.stdout.write(`Grading ${shortPath(stageDir(stage, target))} first: the solution shows once the stage passes …\n`);
    const { scores } = await gradeStage(stage, target);
    if (!passed(scores[0])) {
      process.stdout.write(`Stage ${stage.number} has ${showPoints(scores[0].earned)}/${showPoints(scores[0].max)} points, so its solution stays hidden. ` +
        `Try make hint-${stage.number}, or FORCE=1 make solution-${stage.number} to see it anyway.\n`);
      return 1;
    }
  }
  page(diffFiles(stage, target, solutions));
  return 0;
}
