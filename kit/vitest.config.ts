// The kit's own tests (harness, runner, grader), separate from the graded suites in tests/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['kit/**/*.test.ts', 'tests/fixtures/**/*.check.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
