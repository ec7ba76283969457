// The kit's own tests (harness, runner, grader), separate from the graded suites in tests/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['kit/**/*.test.ts', 'tests/fixtures/**/*.check.ts'],
    pool: 'forks',
    // One file at a time: the grader's tests assert exact scores of timed suites, and two heavy
    // files sharing 2 cores would make those timings depend on each other.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
