// The proof that a student release holds no solution code: the lines of every file in solutions/
// are looked for in every text file of the release, compared after trimming and collapsing runs of
// spaces, so re-indented code is still found.
//
// Which lines count. Lines that give nothing away are skipped: blank, punctuation only (`});`),
// bare keywords (`return;`), a promise's opening line, and every line a starter already contains (signatures, constants,
// imports). Of the rest, a long line (LONG characters or more) is specific enough to be a leak on
// its own. A shorter one (`socket.pause();`, `} catch (err) {`) is an idiom the kit's own tooling
// and the chapters use as well, so it counts only inside a block: RUN or more of them together, with
// at most trivial lines between, is code copied out of a solution.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface Leak {
  /** `guide/03-accept.md:120` */
  where: string;
  line: string;
  /** `solutions/03-accept/accept.ts:42` */
  solution: string;
}

export interface LeakReport {
  solutionFiles: number;
  /** Distinct non-trivial solution lines looked for. */
  checkedLines: number;
  /** How many of them are long enough to count on their own. */
  longLines: number;
  /** Solution lines skipped as trivial or present in a starter. */
  skippedLines: number;
  scannedFiles: number;
  found: Leak[];
}

/** A solution line this long is a leak wherever it appears. */
export const LONG = 40;
/** This many shorter solution lines standing together are a leak. */
export const RUN = 3;

const normal = (line: string): string => line.trim().replace(/\s+/g, ' ');

/** Lines that reveal nothing on their own. */
export function isTrivial(line: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(line)) return true; // blank, braces, punctuation
  if (/^(?:return|break|continue|else|try|finally|default:|\} else \{|\} catch \{|\} finally \{)[;{ ]*$/.test(line)) return true;
  // Opening a promise is boilerplate every asynchronous function of the kit shares.
  return /^(?:return |const \w+ = (?:await )?)?new Promise(?:<[^>]*>)?\(\(resolve(?:, reject)?\) => \{$/.test(line);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (name === 'node_modules' || name === '.git') continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out;
}

function textOf(file: string): string | undefined {
  const bytes = readFileSync(file);
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

export function findSolutionLines(dirs: { release: string; solutions: string; starters: string }): LeakReport {
  const starterLines = new Set<string>();
  for (const file of filesUnder(dirs.starters)) for (const l of (textOf(file) ?? '').split('\n')) starterLines.add(normal(l));
  const wanted = new Map<string, string>(); // normalised line → where it is in the solutions
  let skipped = 0;
  const solutionFiles = filesUnder(dirs.solutions);
  for (const file of solutionFiles) {
    (textOf(file) ?? '').split('\n').forEach((raw, i) => {
      const line = normal(raw);
      if (isTrivial(line) || starterLines.has(line)) {
        skipped++;
        return;
      }
      if (!wanted.has(line)) wanted.set(line, `solutions/${relative(dirs.solutions, file).split(sep).join('/')}:${i + 1}`);
    });
  }
  const found: Leak[] = [];
  const scanned = filesUnder(dirs.release);
  for (const file of scanned) {
    const text = textOf(file);
    if (text === undefined) continue;
    const where = (i: number): string => `${relative(dirs.release, file).split(sep).join('/')}:${i + 1}`;
    let run: Leak[] = [];
    const endRun = (): void => {
      if (run.length >= RUN) found.push(...run.filter((l) => l.line.length < LONG));
      run = [];
    };
    text.split('\n').forEach((raw, i) => {
      const line = normal(raw);
      const solution = wanted.get(line);
      if (!solution) {
        if (!isTrivial(line)) endRun();
        return;
      }
      const leak = { where: where(i), line, solution };
      if (line.length >= LONG) found.push(leak);
      run.push(leak);
    });
    endRun();
  }
  const longLines = [...wanted.keys()].filter((l) => l.length >= LONG).length;
  return { solutionFiles: solutionFiles.length, checkedLines: wanted.size, longLines, skippedLines: skipped, scannedFiles: scanned.length, found };
}
