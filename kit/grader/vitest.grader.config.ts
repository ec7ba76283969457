// The graded suites as the grader runs them, from its per-submission copy of the kit: the
// suites' own settings, a vitest cache inside that copy (one per run, never the kit's), and,
// when the grader set a sandbox (CLASSCHAT_SANDBOX), the suites of stages without programs run
// their test workers inside it (they import the student's module). Stages with programs keep
// their workers on the trusted side; the programs they start are sandboxed by Program.start.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import suites from '../../vitest.config.ts';
import { STAGES, stageId } from '../stages.ts';
import { sandboxPool } from './sandbox-pool.ts';
import { sandboxSpec, writeNodeWrapper } from './sandbox.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = join(root, '.grader-cache');
const spec = sandboxSpec();
const files = (programs: boolean): string[] =>
  STAGES.filter((s) => (s.programs?.length ?? 0) > 0 === programs).map((s) => `tests/${stageId(s)}.test.ts`);

// Each project takes the suites' settings and only its own files (`extends` would add the suites' include).
const project = (name: string, programs: boolean, pool?: ReturnType<typeof sandboxPool>) => ({
  test: { ...suites.test, name, root, include: files(programs), ...(pool ? { pool } : {}) },
});

export default mergeConfig(
  suites,
  defineConfig({
    root,
    cacheDir,
    test: spec
      ? { projects: [project('in-process', false, sandboxPool(writeNodeWrapper(spec, join(root, 'kit', 'grader', '.node-sandboxed')))), project('programs', true)] }
      : {},
  }),
);
