// vitest's setup file: runs before each test file, also where files share a process (the grader's
// runs, `isolate: false`), so each file starts from the same state as when it runs alone.
import { restartSeedStream } from './seed.ts';

restartSeedStream();

// Under the grader: the submission's programs, bundled once per worker before its first suite.
if (process.env.CLASSCHAT_BUNDLE_PROGRAMS) await (await import('../grader/compile.ts')).bundleRequestedPrograms();
