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
  },
});
