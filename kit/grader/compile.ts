// Bundles a submission's programs (every stage's `programs` in the manifest) to plain JavaScript
// once, before its tests run. The program suites start a server or client many times; `node x.mjs` starts in a tenth of the
// time `node --import tsx x.ts` takes, and the grader runs a whole class. When bundling fails
// (a syntax error, a missing file), nothing is returned and the suite runs the .ts files with
// tsx, so the student sees the same error message as in `make stage-6`.
//
// The grader has it done in the submission's test worker (requestPrograms, then the setup file
// calls bundleRequestedPrograms), whose esbuild service already runs contained in the submission's
// limits for stages 1-5's drivers: a child process of its own for the bundling cost a quarter of a
// second per submission, a Node and an esbuild started for a few dozen milliseconds of work.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stop } from 'esbuild';
import { bundleAll } from '../harness/contained-build.ts';
import { BUILD_DIR_VAR } from '../harness/driver-build.ts';
import { patientTimer } from '../harness/patience.ts';
import { PROGRAMS_VAR, programKey, type ProgramCommands } from '../harness/program-commands.ts';
import { targetDir } from '../harness/target.ts';
import { STAGES, stageId, type Stage } from '../stages.ts';

/** The stages (numbers, comma-separated) whose programs the suites' worker bundles before its first suite. */
export const BUNDLE_PROGRAMS_VAR = 'CLASSCHAT_BUNDLE_PROGRAMS';

/**
 * How long the worker waits for them on an idle machine (honest programs bundle in a twentieth of
 * that): well within the run's watchdog, which would stop every stage for a bundler that spins.
 */
const BUNDLE_WITHIN_MS = 4000;

const quote = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * Bundles the programs of `stages`; returns the environment that points the suites at them. With
 * the run's sandbox in `env`, the bundling is contained in the submission's limits.
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

/** The grader's side: the environment that has the suites' worker bundle the programs of `stages` into `outDir`. */
export function requestPrograms(stages: readonly Stage[], outDir: string): NodeJS.ProcessEnv {
  return { [BUNDLE_PROGRAMS_VAR]: stages.map((s) => s.number).join(','), [BUILD_DIR_VAR]: outDir };
}

let requested: Promise<void> | undefined;

/**
 * The worker's side, from the setup file: bundles the programs the grader requested into its build
 * folder, once per process (a submission's suites share one), and sets CLASSCHAT_PROGRAMS for the
 * suites. Never throws, and gives up after BUNDLE_WITHIN_MS (stretched with the load), stopping
 * the esbuild service: a program that was not bundled runs with tsx, as in `make stage-6`, and only
 * its own stage pays for a source that makes the bundler hang.
 */
export function bundleRequestedPrograms(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const wanted = env[BUNDLE_PROGRAMS_VAR]?.split(',');
  const outDir = env[BUILD_DIR_VAR];
  if (!wanted || !outDir || env[PROGRAMS_VAR] !== undefined) return Promise.resolve();
  const stages = STAGES.filter((s) => wanted.includes(String(s.number)));
  requested ??= new Promise<void>((resolve) => {
    let settled = false;
    const settle = (set?: NodeJS.ProcessEnv): void => {
      if (settled) return; // too late: the suites already run the programs with tsx
      settled = true;
      cancel();
      if (set) Object.assign(env, set);
      resolve();
    };
    const cancel = patientTimer(BUNDLE_WITHIN_MS, () => {
      settle();
      void stop();
    });
    compilePrograms(stages, targetDir(env), outDir, env).then(settle, () => settle());
  });
  return requested;
}
