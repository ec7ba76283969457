// The graded suites as the grader runs them, from its per-submission copy of the kit: the
// suites' own settings and a vitest cache inside that copy (one per run, never the kit's). Every
// test worker stays on the trusted side: student code runs only in the processes the suites start
// with Program.start (stages 1-5's drivers, later stages' programs), which the grader's sandbox
// (CLASSCHAT_SANDBOX) wraps.
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
import { MODULE_CACHE_VAR } from './kit-copy.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// Root's alone (0700): the sandbox's user cannot look inside, though the kit's copy is visible to it.
const privateDir = join(root, '.grader-private');
mkdirSync(privateDir, { recursive: true });
chmodSync(privateDir, 0o700);
const cacheDir = join(privateDir, 'cache');
// vitest copies any file a test names as an attachment here: out of the sandbox's sight.
const attachmentsDir = join(privateDir, 'attachments');
const moduleCache = process.env[MODULE_CACHE_VAR];
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

export default mergeConfig(
  suites,
  defineConfig({
    root,
    cacheDir,
    plugins: [onlyTheSubmission],
    // Every suite now keeps the student's code out of its test worker (stages 1-5 in a driver
    // process, later stages in programs), and Program.start sandboxes those: no worker needs the
    // sandbox pool any more, and a worker inside it could not start a sandbox of its own. For the
    // same reason no student code can block a worker's event loop, so a submission's files share
    // one worker (isolate: false) instead of starting one each: about a tenth of a class's grading
    // time. The setup file (kit/harness/per-file.ts) gives each file the state it has alone.
    //
    // MODULE_CACHE_VAR (grade.ts): a root-only folder that keeps vitest's transforms of the
    // kit's modules for the next run of the same job slot, whose copy of the kit has the same path.
    test: { attachmentsDir, isolate: false, ...(moduleCache ? { experimental: { fsModuleCache: true, fsModuleCachePath: moduleCache } } : {}) },
  }),
);
