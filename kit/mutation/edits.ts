// Applies a mutant's or variant's edits to a private copy of the reference solutions. An edit whose
// `find` text is missing or ambiguous fails loudly: a mutant that silently stopped applying after
// the solution changed would otherwise "pass" by grading the unchanged solution.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import type { Edit } from './types.ts';

/** Copies are named with the pid of the run that made them, so stale ones can be found. */
const PREFIX = 'classchat-mutation-';

/** How often `find` occurs in `text` (occurrences may not overlap). */
export function occurrences(text: string, find: string): number {
  if (find === '') return 0;
  let count = 0;
  for (let at = text.indexOf(find); at !== -1; at = text.indexOf(find, at + find.length)) count++;
  return count;
}

const preview = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

/** The new text of a file after one edit; throws a one-line Error when it cannot apply. */
export function applyEdit(text: string | undefined, edit: Edit): string {
  if ('content' in edit) return edit.content;
  if (text === undefined) throw new Error(`${edit.file} does not exist in the solution`);
  const n = occurrences(text, edit.find);
  if (n !== 1) throw new Error(`${preview(edit.find)} occurs ${n} times in ${edit.file}, not exactly once`);
  if (edit.find === edit.replace) throw new Error(`an edit of ${edit.file} replaces ${preview(edit.find)} with itself`);
  return text.replace(edit.find, () => edit.replace);
}

/** Edits files of `stageFolder` in place, in order (a later edit sees the earlier ones). */
export function applyEdits(stageFolder: string, edits: readonly Edit[]): void {
  for (const edit of edits) {
    const rel = normalize(edit.file);
    if (isAbsolute(rel) || rel.startsWith('..')) throw new Error(`${edit.file} is outside the stage folder`);
    const path = join(stageFolder, rel);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    writeFileSync(path, applyEdit(before, edit));
  }
}

/** A temporary copy of `solutions` with `edits` applied to `stageFolderName`; remove it with `dispose`. */
export function mutatedCopy(solutions: string, stageFolderName: string, edits: readonly Edit[]): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    cpSync(solutions, dir, { recursive: true });
    applyEdits(join(dir, stageFolderName), edits);
  } catch (err) {
    dispose();
    throw err;
  }
  return { dir, dispose };
}


const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes copies left by mutation runs that were killed (their pid, in the name, is gone). */
export function removeStaleCopies(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (pid && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}
