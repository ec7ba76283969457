// `make dist-student`: a copy of the kit for students (dist/student/), ready to push as a course's
// template repository. It leaves out the reference solutions and everything that reveals them: the
// mutation files (tests/*/mutants.ts quote solution code), CI that checks the kit against its
// solutions, and local state. Then it proves that no line of any solution is inside (see
// no-solutions.ts) and stops with an error, deleting nothing it cannot vouch for, when one is.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { shippedStarters } from '../starters.ts';
import { kitRoot } from '../stages.ts';
import { findSolutionLines, LONG, RUN, type LeakReport } from './no-solutions.ts';

export const releaseDir = (): string => join(kitRoot(), 'dist', 'student');

/**
 * Top-level entries never copied: solutions, local state (.classchat/ holds a run's driver bundles,
 * solutions inside when TARGET=solutions runs meanwhile), CI of the kit itself.
 */
const LEFT_OUT_TOP = new Set(['.git', 'node_modules', 'dist', 'grades', '.results', 'tmp', 'solutions', '.ci', '.classchat', '.grader-private']);

/** Why a path (relative to the kit, `/`-separated) stays out of the release, or undefined. */
export function leftOut(rel: string): string | undefined {
  const [top] = rel.split('/');
  if (LEFT_OUT_TOP.has(top)) return top === 'solutions' ? 'the reference solutions' : 'not part of the kit';
  if (/^tests\/[^/]+\/mutants\.ts$/.test(rel)) return 'mutants quote the solutions';
  if (/\.log$/.test(rel) || /(^|\/)\.classchat-/.test(rel)) return 'local state';
  return undefined;
}

const NOTE = `> **Student release.** This copy of ClassChat Lab has no reference solutions. Work through the
> stages with \`make stage-1\`, \`make progress\` and the guide; \`make test\` and the instructors'
> tools need the full kit and say so here.

`;

function copyTree(from: string, to: string): number {
  let files = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(from, full).split(sep).join('/');
      if (leftOut(rel)) continue;
      if (statSync(full).isDirectory()) walk(full);
      else {
        mkdirSync(join(to, relative(from, dir)), { recursive: true });
        cpSync(full, join(to, rel));
        files++;
      }
    }
  };
  walk(from);
  return files;
}

export interface Release {
  dir: string;
  files: number;
  leaks: LeakReport;
}

/** Writes the release into `dir` (emptied first) and checks it for solution lines. */
export function writeRelease(dir = releaseDir()): Release {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = copyTree(kitRoot(), dir);
  const readme = join(dir, 'README.md');
  if (existsSync(readme)) writeFileSync(readme, NOTE + readFileSync(readme, 'utf8'));
  const starters = shippedStarters();
  try {
    const leaks = findSolutionLines({ release: dir, solutions: join(kitRoot(), 'solutions'), starters: starters.dir });
    return { dir, files, leaks };
  } finally {
    if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const { dir, files, leaks } = writeRelease();
  const rel = relative(kitRoot(), dir);
  const figures = `${leaks.checkedLines} solution lines from ${leaks.solutionFiles} files (${leaks.longLines} of ${LONG}+ characters, the rest in runs of ${RUN}) looked for in ${leaks.scannedFiles} files of the release`;
  if (leaks.found.length > 0) {
    for (const f of leaks.found.slice(0, 100)) process.stderr.write(`  ${f.where}: "${f.line}" (from ${f.solution})\n`);
    process.stderr.write(`dist-student: ${leaks.found.length} solution lines found in ${rel}/ (${figures}); removed the release.\n`);
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 1;
  } else {
    process.stdout.write(`Wrote ${rel}/ (${files} files, no solutions/). No solution line inside: ${figures}.\n`);
    process.stdout.write(`Use it as the course's template repository; in it, make stage-1 starts the course.\n`);
  }
}
