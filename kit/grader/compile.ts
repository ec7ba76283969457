// Bundles a submission's programs (every stage's `programs` in the manifest) to plain JavaScript
// once, before its tests run. The program suites start a server or client many times; `node x.mjs` starts in a tenth of the
// time `node --import tsx x.ts` takes, and the grader runs a whole class. When bundling fails
// (a syntax error, a missing file), nothing is returned and the suite runs the .ts files with
// tsx, so the student sees the same error message as in `make stage-6`.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundleAll } from '../harness/contained-build.ts';
import { PROGRAMS_VAR, programKey, type ProgramCommands } from '../harness/program-commands.ts';
import { stageId, type Stage } from '../stages.ts';

const quote = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * Bundles the programs of `stages`; returns the environment that points the suites at them. With
 * the run's sandbox in `env`, the bundling is contained in the submission's limits (one child
 * process for all of them).
 */
export async function compilePrograms(stages: readonly Stage[], stagesDir: string, outDir: string, env: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  mkdirSync(outDir, { recursive: true });
  const programs = stages.flatMap((stage) =>
    (stage.programs ?? [])
      .map((kind) => ({ key: programKey(stageId(stage), kind), kind, entry: join(stagesDir, stageId(stage), `${kind}.ts`), outfile: join(outDir, `${stageId(stage)}-${kind}.mjs`) }))
      .filter((p) => existsSync(p.entry)));
  const errors = await bundleAll(programs.map((p) => ({ entryPoints: { [p.kind]: p.entry }, outfile: p.outfile, submission: stagesDir })), env);
  const commands: ProgramCommands = {};
  programs.forEach((p, i) => {
    if (errors[i] === undefined) commands[p.key] = `${quote(process.execPath)} ${quote(p.outfile)}`;
  });
  return { [PROGRAMS_VAR]: JSON.stringify(commands) };
}
