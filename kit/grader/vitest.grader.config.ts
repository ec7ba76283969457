// The graded suites as the grader runs them, from its per-submission copy of the kit: the
// suites' own settings, a vitest cache inside that copy (one per run, never the kit's), and,
// when the grader set a sandbox (CLASSCHAT_SANDBOX), the suites of stages without programs run
// their test workers inside it (they import the student's module). Stages with programs keep
// their workers on the trusted side; the programs they start are sandboxed by Program.start.
//
// vitest's main process runs outside the sandbox and serves the workers' requests, so it must not
// become a way out: it loads modules only from the kit's copy, node_modules and the submission
// (a worker asking for the kit's solutions/ gets an error), and what it copies as a test's
// attachment lands where the sandbox cannot read it.
import { chmodSync, mkdirSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig, mergeConfig } from 'vitest/config';
import suites from '../../vitest.config.ts';
import { STAGES, stageId } from '../stages.ts';
import { sandboxPool } from './sandbox-pool.ts';
import { sandboxSpec, writeNodeWrapper } from './sandbox.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// Root's alone (0700): the sandbox's user cannot look inside, though the kit's copy is visible to it.
const privateDir = join(root, '.grader-private');
mkdirSync(privateDir, { recursive: true });
chmodSync(privateDir, 0o700);
const cacheDir = join(privateDir, 'cache');
// vitest copies any file a test names as an attachment here: out of the sandbox's sight.
const attachmentsDir = join(privateDir, 'attachments');
const spec = sandboxSpec();
const allowed = [root, realpathSync(join(root, 'node_modules')), ...(process.env.TARGET ? [realpathSync(process.env.TARGET)] : [])];

const onlyTheSubmission: Plugin = {
  name: 'classchat-only-the-submission',
  enforce: 'pre',
  load(id) {
    const file = id.split('?')[0];
    if (!file.startsWith('/') || allowed.some((dir) => file === dir || file.startsWith(dir + sep))) return null;
    throw new Error(`${file} is outside the submission and the kit's suites: it is not loaded.`);
  },
};

const files = (programs: boolean): string[] =>
  STAGES.filter((s) => (s.programs?.length ?? 0) > 0 === programs).map((s) => `tests/${stageId(s)}.test.ts`);

// Each project takes the suites' settings and only its own files (`extends` would add the suites' include).
const project = (name: string, programs: boolean, pool?: ReturnType<typeof sandboxPool>) => ({
  plugins: [onlyTheSubmission],
  test: { ...suites.test, name, root, attachmentsDir: attachmentsDir, include: files(programs), ...(pool ? { pool } : {}) },
});

export default mergeConfig(
  suites,
  defineConfig({
    root,
    cacheDir,
    plugins: [onlyTheSubmission],
    test: spec
      ? { projects: [project('in-process', false, sandboxPool(writeNodeWrapper(spec, join(root, 'kit', 'grader', '.node-sandboxed')))), project('programs', true)] }
      : { attachmentsDir },
  }),
);
