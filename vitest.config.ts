// The graded suites. Each stage's file runs in its own process, so one stage's blocked event
// loop cannot stall another's; the kit's runner adds an overall watchdog on top.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 15_000,
    hookTimeout: 10_000,
    teardownTimeout: 3_000,
  },
});
