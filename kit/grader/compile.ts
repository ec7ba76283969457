// Bundles a submission's programs (every stage's `programs` in the manifest) to plain JavaScript
// once, before its tests run. The program suites start a server or client many times; `node x.mjs` starts in a tenth of the
// time `node --import tsx x.ts` takes, and the grader runs a whole class. When bundling fails
// (a syntax error, a missing file), nothing is returned and the suite runs the .ts files with
// tsx, so the student sees the same error message as in `make stage-6`.
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kitTsconfig, submissionOnly } from '../harness/bundle.ts';
import { PROGRAMS_VAR, programKey, type ProgramCommands } from '../harness/program-commands.ts';
import { stageId, type Stage } from '../stages.ts';

const quote = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

/** Bundles the programs of `stages`; returns the environment that points the suites at them. */
export async function compilePrograms(stages: readonly Stage[], stagesDir: string, outDir: string): Promise<NodeJS.ProcessEnv> {
  const commands: ProgramCommands = {};
  mkdirSync(outDir, { recursive: true });
  for (const stage of stages) {
    for (const kind of stage.programs ?? []) {
      const entry = join(stagesDir, stageId(stage), `${kind}.ts`);
      if (!existsSync(entry)) continue;
      const outfile = join(outDir, `${stageId(stage)}-${kind}.mjs`);
      try {
        await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent', tsconfigRaw: kitTsconfig(), plugins: [submissionOnly(stagesDir)] });
      } catch {
        continue;
      }
      commands[programKey(stageId(stage), kind)] = `${quote(process.execPath)} ${quote(outfile)}`;
    }
  }
  return { [PROGRAMS_VAR]: JSON.stringify(commands) };
}
