// The kit's own tests (harness, runner, grader), separate from the graded suites in tests/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['kit/**/*.test.ts', 'tests/fixtures/**/*.check.ts'],
    pool: 'forks',
    // Two files at a time: the grader's tests assert exact scores of timed suites, which holds on a
    // busy machine because every silence window stretches with the load (harness/patience.ts).
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
