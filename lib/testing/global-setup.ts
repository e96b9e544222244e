import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from './test-db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Vitest global setup: one migrated test database for the whole run. It runs before the worker
 * processes are forked, so they inherit the environment set here: `db()` from lib/db/client.ts then
 * reaches the test database, never the database DATABASE_URL named. That URL (a server, or nothing
 * for PGlite) moves to CERTFLEET_TEST_SERVER_URL, where `createTestDatabase()` creates further
 * databases for tests that need one of their own.
 */
export default async function setup(): Promise<() => Promise<void>> {
  generateClientIfStale();
  const serverUrl = process.env.DATABASE_URL ?? '';
  process.env.CERTFLEET_TEST_SERVER_URL = serverUrl;
  const testDb = await createTestDatabase();
  // The Prisma client of the harness is not needed in this process; tests make their own.
  await testDb.prisma.$disconnect();
  process.env.DATABASE_URL = testDb.url;

  return async () => {
    // PGlite's WebAssembly runtime sets process.exitCode when it closes, which would turn a red run
    // (vitest has already set exitCode 1) into a green one.
    const exitCode = process.exitCode;
    await testDb.stop();
    process.exitCode = exitCode;
    if (serverUrl) process.env.DATABASE_URL = serverUrl;
    else delete process.env.DATABASE_URL;
    delete process.env.CERTFLEET_TEST_SERVER_URL;
  };
}

/**
 * A client generated from an older schema.prisma fails in confusing ways (a field "is missing"), and
 * nothing regenerates it after a pull but `npm install`. The generated client embeds the schema it
 * was made from, reformatted: compared with whitespace folded, that tells exactly.
 */
function generateClientIfStale(): void {
  const generated = path.join(root, 'lib/generated/prisma/internal/class.ts');
  const fold = (text: string) => text.replace(/\s+/g, ' ').trim();
  const schema = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');
  const embedded = existsSync(generated) ? /"inlineSchema":\s*("(?:[^"\\]|\\.)*")/.exec(readFileSync(generated, 'utf8'))?.[1] : undefined;
  if (embedded && fold(JSON.parse(embedded) as string) === fold(schema)) return;
  console.log('[test] lib/generated/prisma is older than prisma/schema.prisma: regenerating');
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/generate.ts')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('prisma generate failed');
}
