import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// vitest 5 targets Node 22; on Node 20 its reporter crashes on these (ES2024) while printing a failure,
// hiding the failure itself.
const groupable = { Map, Object } as unknown as {
  Map: { groupBy?: <T, K>(items: Iterable<T>, key: (item: T, i: number) => K) => Map<K, T[]> };
  Object: { groupBy?: <T>(items: Iterable<T>, key: (item: T, i: number) => PropertyKey) => Record<PropertyKey, T[]> };
};
groupable.Map.groupBy ??= (items, key) => {
  const groups = new Map();
  let i = 0;
  for (const item of items) {
    const k = key(item, i++);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
};
groupable.Object.groupBy ??= (items, key) => Object.fromEntries(groupable.Map.groupBy!(items, key));

export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('.', import.meta.url)),
      // `import 'server-only'` guards the browser bundle; tests run server code directly.
      'server-only': fileURLToPath(new URL('node_modules/server-only/empty.js', import.meta.url)),
    },
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**', '.next/**', '.data/**', '.test-data/**', 'worker/node_modules/**'],
    // Backstops against a hang only: on a busy machine a migration or a workerd start has taken over a minute.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Two cores: a couple of forks keeps PGlite instances and workerd from starving each other.
    pool: 'forks',
    maxWorkers: 2,
    // One migrated database for the run (PGlite, or a fresh database on DATABASE_URL's server);
    // workers see it as DATABASE_URL.
    globalSetup: ['./lib/testing/global-setup.ts'],
  },
});
