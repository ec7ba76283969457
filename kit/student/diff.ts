// A stage's reference solution shown as a diff against the student's own files (git diff
// --no-index works outside a repository too), or whole when the student's file is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chalk } from '../color.ts';
import { shortPath } from '../harness/target.ts';
import { stageDir, type Stage } from '../stages.ts';

export function diffFiles(stage: Stage, target: string, solutions: string): string {
  const mine = stageDir(stage, target);
  const files = [...new Set([...stage.files, ...readdirSync(solutions).filter((f) => f.endsWith('.ts'))])].sort();
  const parts = [chalk.bold(`Stage ${stage.number}: your files (-) against the reference solution (+)\n`)];
  for (const file of files) {
    const yours = join(mine, file);
    const reference = join(solutions, file);
    if (!existsSync(reference)) continue;
    if (!existsSync(yours)) {
      parts.push(`${chalk.bold(`${shortPath(yours)} is missing; the reference ${shortPath(reference)}:`)}\n${readFileSync(reference, 'utf8')}`);
      continue;
    }
    const diff = spawnSync('git', ['diff', '--no-index', `--color=${chalk.level > 0 ? 'always' : 'never'}`, '--', yours, reference], { encoding: 'utf8' });
    if (diff.error) parts.push(`${chalk.bold(shortPath(reference))}\n${readFileSync(reference, 'utf8')}`);
    else parts.push(diff.stdout || `${shortPath(yours)}: the same as the reference.\n`);
  }
  return parts.join('\n');
}
