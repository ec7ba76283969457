// `make help`: every target of the Makefile with its `## ` description, aligned, and the stages
// from the manifest, so a new stage shows up without editing the Makefile.
import { readFileSync } from 'node:fs';
import { chalk } from './color.ts';
import { wrapWords } from './report/format.ts';
import { STAGES } from './stages.ts';

/** `target: deps ## what it does` lines; `%` in a pattern target is shown as N. */
export function documentedTargets(makefile: string): Array<{ target: string; what: string }> {
  return [...makefile.matchAll(/^([a-z%][a-z0-9%-]*):[^\n#]*## (.*)$/gm)].map((m) => ({ target: m[1].replace('%', 'N'), what: m[2].trim() }));
}

export function makeHelp(makefiles: string[], columns = process.stdout.columns || 100): string {
  const targets = makefiles.flatMap((f) => documentedTargets(readFileSync(f, 'utf8')));
  const width = Math.max(...targets.map((t) => `make ${t.target}`.length)) + 2;
  const stages = STAGES.map((s) => `  ${String(s.number).padStart(2)}  ${s.title} (${s.points} points)`).join('\n');
  return [
    'ClassChat Lab: build the ClassChat TCP server and client, stage by stage.',
    '',
    chalk.bold('Stages (N):'),
    stages,
    '',
    chalk.bold('Commands:'),
    // Long descriptions wrap inside their column, so the list stays aligned in any terminal.
    ...targets.map((t) => wrapWords(t.what, Math.max(30, columns - width - 2)).map((line, i) => `  ${(i === 0 ? `make ${t.target}` : '').padEnd(width)}${line}`).join('\n')),
    '',
    'Variables: TARGET=solutions|DIR  the code to grade (default: your stages/)',
    '           GUIDE=0 | GUIDE=1     no chapter | the whole chapter, with make stage-N',
    '           WATCH=1 CACHED=1 FORCE=1 YES=1 HOST= PORT= NO_COLOR=1  (see the commands above)',
    '',
  ].join('\n');
}
