import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { listAppliedMigrations } from '@/lib/db/migrate';
import { createTestDatabase, testServerUrl, type TestDatabase } from '@/lib/testing/test-db';

describe('createTestDatabase', () => {
  const opened: TestDatabase[] = [];
  afterAll(() => Promise.all(opened.map((t) => t.stop())));

  it('gives each caller its own migrated database, apart from the run-wide one', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    opened.push(a, b);
    expect(new Set([a.url, b.url, process.env.DATABASE_URL]).size).toBe(3);
    expect(await listAppliedMigrations(a.url)).not.toEqual([]);

    await a.prisma.device.create({ data: { name: 'only-in-a', group: 'lab', commonName: 'only-in-a' } });
    expect(await a.prisma.device.count({ where: { name: 'only-in-a' } })).toBe(1);
    expect(await b.prisma.device.count({ where: { name: 'only-in-a' } })).toBe(0);
  });

  it('takes several connections at once (vitest forks and pooled clients share one PGlite)', async () => {
    const t = await createTestDatabase();
    opened.push(t);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.prisma.$transaction(async (tx) => {
          await tx.device.create({ data: { name: `conn-${i}`, group: 'lab', commonName: `conn-${i}` } });
          return tx.device.count({ where: { name: `conn-${i}` } });
        }),
      ),
    );
    expect(results).toEqual(Array(8).fill(1));
    expect(await t.prisma.device.count({ where: { name: { startsWith: 'conn-' } } })).toBe(8);
  });

  it('destroys the database on stop', async () => {
    const t = await createTestDatabase();
    await t.stop();
    await t.stop(); // a second stop is harmless
    const server = testServerUrl();
    if (server) {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      const name = new URL(t.url).pathname.slice(1);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      await client.end();
      expect(name).toMatch(/^certfleet_t_/);
      expect(rowCount).toBe(0);
    } else {
      const client = new pg.Client({ connectionString: t.url });
      await expect(client.connect()).rejects.toThrow();
    }
  });
});
