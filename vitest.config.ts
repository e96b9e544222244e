import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**', '.next/**', '.data/**', '.test-data/**', 'worker/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: a couple of forks keeps PGlite instances and workerd from starving each other.
    pool: 'forks',
    maxWorkers: 2,
  },
});
