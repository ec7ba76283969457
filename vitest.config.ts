// The graded suites. Each stage's file runs in a process of its own for make stage-N (the grader's
// runs share one per submission: kit/grader/vitest.grader.config.ts); the kit's runner adds an
// overall watchdog on top.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['kit/harness/per-file.ts'],
    pool: 'forks',
    testTimeout: 15_000,
    hookTimeout: 10_000,
    teardownTimeout: 3_000,
  },
});
