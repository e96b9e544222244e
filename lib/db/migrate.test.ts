import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAppliedMigrations, MIGRATIONS_DIR, migrateCheck, migrateDeploy } from '@/lib/db/migrate';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

const committed = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('migrateDeploy', () => {
  let fresh: TestDatabase;
  beforeAll(async () => {
    fresh = await createTestDatabase({ migrated: false });
  });
  afterAll(() => fresh?.stop());

  it('applies every committed migration to an empty database, then nothing', async () => {
    expect(committed.length).toBeGreaterThan(0);
    expect(await listAppliedMigrations(fresh.url)).toEqual([]);

    expect(await migrateDeploy(fresh.url)).toEqual({ applied: committed });
    expect(await listAppliedMigrations(fresh.url)).toEqual(committed);

    expect(await migrateDeploy(fresh.url)).toEqual({ applied: [] });
    expect(await listAppliedMigrations(fresh.url)).toEqual(committed);
  });

  it('records migrations as the Prisma CLI does: checksum is the sha256 of migration.sql', async () => {
    const rows = await fresh.prisma.$queryRaw<
      { migration_name: string; checksum: string; applied_steps_count: number; logs: string | null; finished_at: Date | null }[]
    >`SELECT migration_name, checksum, applied_steps_count, logs, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row).toMatchObject({ applied_steps_count: 1, logs: null });
      expect(row.finished_at).toBeInstanceOf(Date);
    }
  });

  it('leaves schema.prisma and prisma/migrations in agreement, without drift', async () => {
    // A failure here means schema.prisma changed without `npm run migrate:dev -- --name <change>`.
    expect(await migrateCheck(fresh.url)).toEqual({ drift: null, changes: 0 });
  });
});
