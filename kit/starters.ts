// The starters exactly as shipped, for the self-check: a student's edited stages/ must not make
// `make test` pass or fail. Taken from git's HEAD when the kit is a checkout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kitRoot } from './stages.ts';

export interface Starters {
  dir: string;
  /** Where they came from, for the report. */
  source: string;
  /** The temporary folder to remove afterwards, if one was made. */
  temp?: string;
}

export function shippedStarters(): Starters {
  const root = kitRoot();
  try {
    execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: root, stdio: 'ignore' });
    const temp = mkdtempSync(join(tmpdir(), 'classchat-starters-'));
    // git archive | tar -x: the committed stages/ folder, untouched by local edits.
    execFileSync('sh', ['-c', `git archive HEAD stages | tar -x -C "${temp}"`], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    return { dir: join(temp, 'stages'), source: 'stages/ as committed (git HEAD)', temp };
  } catch {
    return { dir: join(root, 'stages'), source: 'stages/ in the working tree (not a git checkout)' };
  }
}
