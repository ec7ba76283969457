// The copy of the kit that submissions are graded from: the suites and the tooling, with
// node_modules linked in, and without solutions/, so student code running in a test worker
// does not find the reference solutions beside it. Made for each submission (about 0.2 MB).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kitRoot } from '../stages.ts';

/** The grader's folder for vitest's transformed modules, shared by the runs of one job slot (see grade.ts). */
export const MODULE_CACHE_VAR = 'CLASSCHAT_MODULE_CACHE';

export interface GradingKit {
  dir: string;
  remove(): void;
}

const COPIED = ['kit', 'tests', 'vitest.config.ts', 'package.json', 'tsconfig.json'];
/**
 * The mutation check's files hold whole correct rewrites of the solutions: they stay behind too.
 * So do the kit's own unit tests and its grader fixtures, which no suite loads (a copy per
 * submission: every file left out is time saved).
 */
const notCopied = (src: string): boolean =>
  /[\\/]tests[\\/][^\\/]+[\\/]mutants\.ts$/.test(src) || /[\\/]kit[\\/](.*[\\/])?[^\\/]+\.test\.ts$/.test(src) || /[\\/]kit[\\/]grader[\\/]fixtures$/.test(src);

/**
 * `name`: a folder name under the temp folder, for a copy at the same path as the one before it
 * (its transformed modules are cached by path: see grade.ts). A name that is taken gets a fresh one.
 */
export function makeGradingKit(name?: string): GradingKit {
  const dir = name ? ownFolder(join(tmpdir(), name)) : undefined;
  return fill(dir ?? mkdtempSync(join(tmpdir(), `classchat-kit-${process.pid}-`)));
}

/** `path` made now, by us; undefined when something is there already (never reused, never removed). */
function ownFolder(path: string): string | undefined {
  try {
    mkdirSync(path, { mode: 0o700 });
    return path;
  } catch {
    return undefined;
  }
}

function fill(dir: string): GradingKit {
  // Readable by the sandbox's unprivileged user, which sees it read-only.
  chmodSync(dir, 0o755);
  for (const entry of COPIED) cpSync(join(kitRoot(), entry), join(dir, entry), { recursive: true, filter: (src) => !notCopied(src) });
  // To the real folder: the sandbox sees that, not a chain of links through folders it cannot see.
  symlinkSync(realpathSync(join(kitRoot(), 'node_modules')), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
