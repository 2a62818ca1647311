import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@paperline/source'] },
  ssr: { resolve: { conditions: ['@paperline/source'] } },
  test: {
    include: ['{libs,services,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    // every test file starts its own nats-server; two cores run two files at a time
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
    // .ci/run sets PL_TEST_REPORT to read the totals from vitest's JSON report
    reporters: process.env['PL_TEST_REPORT'] ? ['default', ['json', { outputFile: process.env['PL_TEST_REPORT'] }]] : ['default'],
  },
});
