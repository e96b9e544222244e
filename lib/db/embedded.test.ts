import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '@/lib/db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@/lib/db/embedded';
import { migrateDeploy } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';

describe('embedded PGlite behind its socket', () => {
  let pg: EmbeddedPostgres;
  let a: PrismaClient;
  let b: PrismaClient;
  beforeAll(async () => {
    pg = await startEmbeddedPostgres();
    await migrateDeploy(pg.url);
    a = createPrismaClient(pg.url);
    b = createPrismaClient(pg.url);
  });
  afterAll(async () => {
    await a?.$disconnect();
    await b?.$disconnect();
    await pg?.stop();
  });

  // Two processes (the app and npm start's jobs) with pools of their own, as in `npm start`: without
  // lib/db/pglite-queue.ts their extended-protocol exchanges interleave and about a third fail.
  it('serves concurrent connections without mixing their statements', async () => {
    const errors: string[] = [];
    const note = (e: unknown) => void errors.push(String(e).split('\n').filter(Boolean).pop() ?? String(e));
    const tag = `race-${Date.now()}`;
    const reads: unknown[] = [];
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        a
          .$transaction(async (tx) => {
            await tx.auditEvent.findMany({ where: { action: `${tag}-${i}` }, take: 3 });
            await tx.auditEvent.create({ data: { actorEmail: 'test', action: `${tag}-${i}`, targetType: 'race' } });
          })
          .catch(note),
      ),
      ...Array.from({ length: 200 }, (_, i) =>
        (i % 2
          ? b.user.findUnique({ where: { id: `missing-${i}` } })
          : b.auditEvent.count({ where: { action: { in: ['x', 'y', 'z'] } } })
        )
          .then((r) => reads.push(r))
          .catch(note),
      ),
    ]);
    expect(errors).toEqual([]);
    expect(reads).toHaveLength(200);
    expect(await a.auditEvent.count({ where: { action: { startsWith: tag } } })).toBe(40);
  });
});
