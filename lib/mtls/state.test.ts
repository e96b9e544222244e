import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { latestChecks, type LatestCheck } from './state';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.stop();
});

/** The newest check of each host, read from the whole table in Node: what latestChecks must equal. */
async function newestFromTable(): Promise<Map<string, LatestCheck>> {
  const all = await testDb.prisma.enforcementCheck.findMany();
  const newest = new Map<string, LatestCheck>();
  for (const { hostname, enforced, detail, noCertStatus, revokedStatus, checkedAt } of all) {
    const seen = newest.get(hostname);
    if (!seen || seen.checkedAt < checkedAt) newest.set(hostname, { enforced, detail, noCertStatus, revokedStatus, checkedAt });
  }
  return newest;
}

describe('latestChecks', () => {
  it('gives each host asked about its newest check, however many it has and in whatever order they were written', async () => {
    const hosts = Array.from({ length: 12 }, (_, i) => `h${i}.acme-corp.com`);
    const start = Date.parse('2026-11-01T00:00:00Z');
    // 300 canary runs of 5 minutes for every host, written in a shuffled order so the newest is rarely the last
    // row written; each host's outcomes differ from run to run, so a wrong row shows.
    const rows = hosts.flatMap((hostname, h) =>
      Array.from({ length: 300 }, (_, run) => ({
        hostname,
        checkedAt: new Date(start + run * 300_000 + h * 1_000),
        enforced: (run + h) % 3 !== 0,
        detail: (run + h) % 3 === 0 ? `run ${run} of ${hostname}: answered 200 without a certificate` : null,
        noCertStatus: 400 + ((run * 7 + h) % 100),
        revokedStatus: (run + h) % 5 === 0 ? null : 403,
      })),
    );
    for (let i = rows.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    await testDb.prisma.enforcementCheck.createMany({ data: rows });

    const table = await newestFromTable();
    const asked = [...hosts.slice(0, 9), 'never-checked.acme-corp.com'];
    const latest = await latestChecks(testDb.prisma, asked);
    expect([...latest.keys()].sort()).toEqual(hosts.slice(0, 9).sort());
    for (const host of hosts.slice(0, 9)) expect(latest.get(host)).toEqual(table.get(host));
    // The newest is run 299 of each host, so the test is not passing on the first row of each.
    expect(latest.get('h4.acme-corp.com')?.checkedAt).toEqual(new Date(start + 299 * 300_000 + 4_000));

    // A new run moves each host's answer; a host not asked about never appears.
    const next = new Date(start + 300 * 300_000);
    await testDb.prisma.enforcementCheck.createMany({ data: hosts.map((hostname) => ({ hostname, checkedAt: next, enforced: false, detail: 'the rule is off' })) });
    const moved = await latestChecks(testDb.prisma, ['h0.acme-corp.com', 'h11.acme-corp.com']);
    expect(Object.fromEntries(moved)).toEqual({
      'h0.acme-corp.com': { enforced: false, detail: 'the rule is off', noCertStatus: null, revokedStatus: null, checkedAt: next },
      'h11.acme-corp.com': { enforced: false, detail: 'the rule is off', noCertStatus: null, revokedStatus: null, checkedAt: next },
    });
    expect(moved.get('h11.acme-corp.com')).toEqual((await newestFromTable()).get('h11.acme-corp.com'));
    expect(await latestChecks(testDb.prisma, [])).toEqual(new Map());
  });
});
