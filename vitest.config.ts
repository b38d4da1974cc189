import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One PostgreSQL cluster and one migrated template database for the whole run.
    globalSetup: ['tests/setup/global.ts'],
    // Each test file gets its own database (cloned from the template), so files run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // Keep test output readable; LOG_LEVEL=debug npm test shows everything.
    // Grafast in its production mode (what deployments run), set explicitly so it does not
    // print its "GRAPHILE_ENV is not set" notice in every test process.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', GRAPHILE_ENV: process.env.GRAPHILE_ENV ?? 'production' },
  },
});
