// Which code the suites grade: the student's `stages/` (default), the reference `solutions/`
// (TARGET=solutions) or any folder laid out like `stages/` (TARGET=path/to/folder).
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kitRoot } from '../stages.ts';

/** The folder whose `0N-slug/` subfolders are graded. */
export function targetDir(env: NodeJS.ProcessEnv = process.env): string {
  const target = env.TARGET?.trim() || 'stages';
  return isAbsolute(target) ? target : resolve(kitRoot(), target);
}

/** A path for messages: relative to the kit when inside it. */
export function shortPath(path: string): string {
  const rel = relative(kitRoot(), path);
  return rel.startsWith('..') ? path : rel;
}

/** The student's file of a stage, e.g. `stages/03-accept/accept.ts`. */
export function targetFile(stageFolder: string, file: string): string {
  return join(targetDir(), stageFolder, file);
}

/**
 * Imports a student's module once per test file. A missing file or one that throws while loading
 * becomes one clear error that every test of the stage reports, so points stay per test.
 */
export function studentModule<T>(stageFolder: string, file: string): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load<T>(targetFile(stageFolder, file));
    return loading;
  };
}

/**
 * A driver's bundled copies of the student's modules (driver-build.ts), as JSON
 * `{ "<file.ts>": { "file": "<file.mjs>" } | { "error": "<why it could not be bundled>" } }`.
 */
export const MODULES_VAR = 'CLASSCHAT_MODULES';
export type BundledModule = { file: string } | { error: string };

function bundledCopy(path: string): BundledModule | undefined {
  try {
    return (JSON.parse(process.env[MODULES_VAR] ?? '{}') as Record<string, BundledModule>)[path];
  } catch {
    return undefined;
  }
}

async function load<T>(path: string): Promise<T> {
  if (!existsSync(path)) throw new Error(`${shortPath(path)} is missing: the stage's code must be in that file.`);
  const bundled = bundledCopy(path);
  if (bundled && 'error' in bundled) throw new Error(`${shortPath(path)} could not be loaded: ${bundled.error}`);
  try {
    return (await import(pathToFileURL(bundled?.file ?? path).href)) as T;
  } catch (err) {
    const lines = (err instanceof Error ? err.message : String(err)).split('\n');
    // tsx (which loads it in stages 1-5's drivers) says "Transform failed with 1 error:" first and where on the next line.
    const why = lines[0].endsWith(':') && lines[1] ? `${lines[0]} ${lines[1].trim()}` : lines[0];
    throw new Error(`${shortPath(path)} could not be loaded: ${why}`);
  }
}
