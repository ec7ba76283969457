// Which command starts a stage's server or client. In order: SERVER_CMD / CLIENT_CMD (a program in
// any language, set by the person running the suite), the grader's bundled copy (named in
// CLASSCHAT_PROGRAMS), or the student's `<kind>.ts` run by tsx.
import { existsSync } from 'node:fs';
import type { ProgramKind } from '../stages.ts';
import { shellWords } from './shell-words.ts';
import { shortPath, targetFile } from './target.ts';

/** The grader's bundled programs, as JSON `{ "06-final/server": "<command line>" }`. */
export const PROGRAMS_VAR = 'CLASSCHAT_PROGRAMS';
export type ProgramCommands = Record<string, string>;
export const programKey = (stageFolder: string, kind: ProgramKind): string => `${stageFolder}/${kind}`;

export interface Command {
  command: string;
  args: string[];
}

function bundled(stageFolder: string, kind: ProgramKind, env: NodeJS.ProcessEnv): string | undefined {
  try {
    return (JSON.parse(env[PROGRAMS_VAR] ?? '{}') as ProgramCommands)[programKey(stageFolder, kind)];
  } catch {
    return undefined;
  }
}

/** The command that starts `kind` of the stage in `stageFolder` (e.g. `06-final`). */
export function commandFor(stageFolder: string, kind: ProgramKind, env: NodeJS.ProcessEnv = process.env): Command {
  const variable = kind === 'server' ? 'SERVER_CMD' : 'CLIENT_CMD';
  const line = env[variable]?.trim() || bundled(stageFolder, kind, env);
  if (line) {
    const [command, ...args] = shellWords(line);
    if (!command) throw new Error(`${variable} is set but empty.`);
    return { command, args };
  }
  const file = targetFile(stageFolder, `${kind}.ts`);
  if (!existsSync(file)) throw new Error(`${shortPath(file)} is missing: the stage's code must be in that file.`);
  // node --import tsx, not the tsx CLI: the CLI starts a second process that a kill would orphan.
  return { command: process.execPath, args: ['--import', 'tsx', file] };
}
