import { createTestDatabase } from './test-db';

/**
 * Vitest global setup: one migrated test database for the whole run. It runs before the worker
 * processes are forked, so they inherit the environment set here: `db()` from lib/db/client.ts then
 * reaches the test database, never the database DATABASE_URL named. That URL (a server, or nothing
 * for PGlite) moves to CERTFLEET_TEST_SERVER_URL, where `createTestDatabase()` creates further
 * databases for tests that need one of their own.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL ?? '';
  process.env.CERTFLEET_TEST_SERVER_URL = serverUrl;
  const testDb = await createTestDatabase();
  // The Prisma client of the harness is not needed in this process; tests make their own.
  await testDb.prisma.$disconnect();
  process.env.DATABASE_URL = testDb.url;

  return async () => {
    await testDb.stop();
    if (serverUrl) process.env.DATABASE_URL = serverUrl;
    else delete process.env.DATABASE_URL;
    delete process.env.CERTFLEET_TEST_SERVER_URL;
  };
}
