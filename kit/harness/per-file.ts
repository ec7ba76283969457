// vitest's setup file: runs before each test file, also where files share a process (the grader's
// runs, `isolate: false`), so each file starts from the same state as when it runs alone.
import { restartSeedStream } from './seed.ts';

restartSeedStream();
