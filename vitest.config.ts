import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real servers and real clients (pip, twine, poetry, the AWS CLI) take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: more parallel suites only make each slower.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      // The in-process HTTP suites once more with the fast lane off: both lanes must pass them.
      {
        extends: true,
        test: {
          name: 'http-without-fast-lane',
          include: ['test/http/**/*.test.ts'],
          // It builds both lanes itself.
          exclude: ['test/http/fast-lane.test.ts'],
          env: { TEST_FAST_LANE: 'off' },
        },
      },
    ],
  },
});
