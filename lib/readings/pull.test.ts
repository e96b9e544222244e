import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '@/emulator/worker-runner';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { findReadingFlags } from './flags';
import { PullError, pullReadings } from './pull';
import { createTestCertificate, createTestDevice, randomFingerprint } from './test-factories';

// The real Worker in workerd, reached over miniflare's loopback HTTP listener exactly as the app reaches it
// through WORKER_EXPORT_URL; readings posted with a `cf.tlsClientAuth` the way the mTLS edge hands them over.

const TOKEN = 'pull-test-token';
let worker: RunningWorker;
let testDb: TestDatabase;

beforeAll(async () => {
  [worker, testDb] = await Promise.all([startWorker({ exportToken: TOKEN, output: 'ignore' }), createTestDatabase()]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), testDb?.stop()]);
});

const options = () => ({ exportUrl: worker.url, exportToken: TOKEN });

/** Posts `count` readings as the certificate `fingerprint`; the temperature encodes (tag, i) so each is unique. */
async function post(fingerprint: string, count: number, tag: number, startMs = Date.UTC(2026, 0, 1)): Promise<void> {
  const cf = {
    tlsClientAuth: {
      certPresented: '1',
      certVerified: 'SUCCESS',
      certRevoked: '0',
      certFingerprintSHA256: fingerprint,
      certSerial: fingerprint.slice(0, 16).toUpperCase(),
      certSKI: fingerprint.slice(0, 40),
    },
  };
  // A few at a time: each certificate's Durable Object serialises them anyway.
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async (_, k) => {
        const n = i + k;
        const res = await worker.dispatchFetch('https://edge.test/temps', {
          method: 'POST',
          body: JSON.stringify({ temperature: tag + n / 10_000, time: new Date(startMs + n * 60_000).toISOString() }),
          cf,
        });
        if (res.status !== 201) throw new Error(`post answered ${res.status}: ${await res.text()}`);
      }),
    );
  }
}

async function storedFor(fingerprint: string) {
  return testDb.prisma.reading.findMany({ where: { certificateFingerprint: fingerprint }, orderBy: { workerSeq: 'asc' } });
}

/** Every seq 1..n exactly once. */
function expectSeqs(rows: { workerSeq: bigint | null }[], n: number) {
  expect(rows.map((r) => Number(r.workerSeq))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

describe('pullReadings from the Worker in workerd', () => {
  it('stores every reading once, linked to its certificate and device, and a repeated pull adds nothing', async () => {
    const device = await createTestDevice(testDb.prisma);
    const fingerprint = randomFingerprint();
    await createTestCertificate(testDb.prisma, { deviceId: device.id, fingerprint });
    await post(fingerprint, 45, 20);

    const first = await pullReadings(testDb.prisma, { ...options(), batchSize: 10 });
    expect(first.readings).toBeGreaterThanOrEqual(45);
    const rows = await storedFor(fingerprint);
    expectSeqs(rows, 45);
    expect(rows.every((r) => r.deviceId === device.id)).toBe(true);
    expect(rows[0]).toMatchObject({ temperature: 20, time: new Date(Date.UTC(2026, 0, 1)) });
    expect(rows[44]!.temperature).toBeCloseTo(20.0044, 6);
    expect(Number((await testDb.prisma.pullCursor.findUniqueOrThrow({ where: { fingerprint } })).cursor)).toBe(45);
    const seen = await testDb.prisma.device.findUniqueOrThrow({ where: { id: device.id } });
    expect(seen.lastSeenFingerprint).toBe(fingerprint);
    // The Worker's receive time, not the device's (2026-01-01) clock.
    expect(seen.lastSeenAt!.getTime()).toBeGreaterThan(Date.now() - 120_000);

    const again = await pullReadings(testDb.prisma, { ...options(), batchSize: 10 });
    expect(again.readings).toBe(0);
    expectSeqs(await storedFor(fingerprint), 45);

    await post(fingerprint, 7, 21, Date.UTC(2026, 0, 2));
    const more = await pullReadings(testDb.prisma, options());
    expect(more).toMatchObject({ readings: 7, duplicates: 0 });
    expectSeqs(await storedFor(fingerprint), 52);
  });

  it('resumes after a failure part-way without losing or doubling a reading', async () => {
    const fingerprints = [randomFingerprint(), randomFingerprint()];
    const device = await createTestDevice(testDb.prisma);
    for (const fingerprint of fingerprints) await createTestCertificate(testDb.prisma, { deviceId: device.id, fingerprint });
    await post(fingerprints[0]!, 35, 30);
    await post(fingerprints[1]!, 35, 31);
    await pullReadings(testDb.prisma, options()); // everything earlier out of the way

    await post(fingerprints[0]!, 30, 32, Date.UTC(2026, 1, 1));
    await post(fingerprints[1]!, 30, 33, Date.UTC(2026, 1, 1));
    // The network drops after the first readings batch has been answered.
    let readingsCalls = 0;
    const failing: typeof fetch = async (input, init) => {
      if (String(input).includes('/export/readings') && ++readingsCalls > 1) throw new TypeError('socket hang up');
      return fetch(input, init);
    };
    const attempt = pullReadings(testDb.prisma, { ...options(), batchSize: 10, concurrency: 1, fetch: failing });
    await expect(attempt).rejects.toBeInstanceOf(PullError);
    const failed = (await attempt.catch((e: PullError) => e)) as PullError;
    expect(failed.message).toMatch(/did not answer .*socket hang up.*10 new readings were stored/);
    expect(failed.summary.readings).toBe(10);
    const partial = (await storedFor(fingerprints[0]!)).length + (await storedFor(fingerprints[1]!)).length;
    expect(partial).toBe(35 + 35 + 10);

    const resumed = await pullReadings(testDb.prisma, { ...options(), batchSize: 10 });
    expect(resumed).toMatchObject({ readings: 50, duplicates: 0 });
    expectSeqs(await storedFor(fingerprints[0]!), 65);
    expectSeqs(await storedFor(fingerprints[1]!), 65);
  });

  it('stops on abort after the batch in flight, and the next pull picks up the rest', async () => {
    const fingerprint = randomFingerprint();
    await createTestCertificate(testDb.prisma, { deviceId: (await createTestDevice(testDb.prisma)).id, fingerprint });
    await post(fingerprint, 60, 40);
    await pullReadings(testDb.prisma, options()); // clear every other certificate's backlog first
    await post(fingerprint, 40, 41, Date.UTC(2026, 2, 1));

    const abort = new AbortController();
    let batches = 0;
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('/export/readings') && ++batches === 2) abort.abort();
      return res;
    };
    const attempt = pullReadings(testDb.prisma, { ...options(), batchSize: 10, signal: abort.signal, fetch: counting });
    await expect(attempt).rejects.toThrow(/the pull was stopped/);
    const stored = (await storedFor(fingerprint)).length;
    expect(stored).toBeGreaterThanOrEqual(60 + 10);
    expect(stored).toBeLessThan(100);

    await pullReadings(testDb.prisma, options());
    expectSeqs(await storedFor(fingerprint), 100);
  });

  it('stores each reading once when two pulls overlap', async () => {
    const fingerprint = randomFingerprint();
    await createTestCertificate(testDb.prisma, { deviceId: (await createTestDevice(testDb.prisma)).id, fingerprint });
    await post(fingerprint, 80, 50);
    const [a, b] = await Promise.all([
      pullReadings(testDb.prisma, { ...options(), batchSize: 7 }),
      pullReadings(testDb.prisma, { ...options(), batchSize: 7 }),
    ]);
    expectSeqs(await storedFor(fingerprint), 80);
    expect(a.readings + b.readings).toBeGreaterThanOrEqual(80);
    expect(Number((await testDb.prisma.pullCursor.findUniqueOrThrow({ where: { fingerprint } })).cursor)).toBe(80);
  });

  it('keeps readings of unknown certificates unlinked, and a revoked certificate does not refresh its device', async () => {
    const unknown = randomFingerprint();
    await post(unknown, 3, 60);
    const revokedDevice = await createTestDevice(testDb.prisma, { lastSeenAt: new Date('2026-01-01T00:00:00Z') });
    const revoked = randomFingerprint();
    await createTestCertificate(testDb.prisma, { deviceId: revokedDevice.id, fingerprint: revoked, status: 'REVOKED', revokedAt: new Date(Date.now() - 60_000) });
    await post(revoked, 2, 61);

    await pullReadings(testDb.prisma, options());
    const unknownRows = await storedFor(unknown);
    expect(unknownRows).toHaveLength(3);
    expect(unknownRows.every((r) => r.deviceId === null)).toBe(true);
    expect(await storedFor(revoked)).toHaveLength(2);
    const device = await testDb.prisma.device.findUniqueOrThrow({ where: { id: revokedDevice.id } });
    expect(device.lastSeenAt).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('counts readings the edge accepted while a revocation was pending as the device’s; flags only those after it took effect', async () => {
    const device = await createTestDevice(testDb.prisma, { lastSeenAt: new Date('2026-01-01T00:00:00Z') });
    const fingerprint = randomFingerprint();
    const cert = await createTestCertificate(testDb.prisma, { deviceId: device.id, fingerprint });
    // Asked to revoke a minute ago; Cloudflare still reports it pending, so the edge still lets it in.
    await testDb.prisma.certificate.update({ where: { id: cert.id }, data: { status: 'PENDING_REVOCATION', revokedAt: new Date(Date.now() - 60_000) } });
    await post(fingerprint, 2, 70, Date.now() - 5 * 60_000);
    // Then Cloudflare settles it: the revocation takes effect now (the trigger records when).
    await testDb.prisma.certificate.update({ where: { id: cert.id }, data: { status: 'REVOKED' } });
    const settled = await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } });
    expect(settled.revocationEffectiveAt!.getTime()).toBeGreaterThan(settled.revokedAt!.getTime());

    await pullReadings(testDb.prisma, options());
    const pending = await storedFor(fingerprint);
    expect(pending).toHaveLength(2);
    const seen = await testDb.prisma.device.findUniqueOrThrow({ where: { id: device.id } });
    expect(seen.lastSeenAt).toEqual(new Date(Math.max(...pending.map((r) => r.receivedAt!.getTime()))));

    const run = (text: string, values: unknown[]) => testDb.prisma.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
    const range = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000), deviceId: device.id };
    expect(await findReadingFlags(run, range)).toEqual([]);

    // A reading the edge let through after the revocation took effect is flagged, and does not make the device look alive.
    await post(fingerprint, 1, 71, Date.now() - 60_000);
    await pullReadings(testDb.prisma, options());
    expect((await findReadingFlags(run, range)).map((f) => [f.kind, f.readings])).toEqual([['revoked', 1]]);
    expect((await testDb.prisma.device.findUniqueOrThrow({ where: { id: device.id } })).lastSeenAt).toEqual(seen.lastSeenAt);
  });

  it('says so when the token is wrong or the Worker is not there', async () => {
    await expect(pullReadings(testDb.prisma, { exportUrl: worker.url, exportToken: 'wrong' })).rejects.toThrow(/refused the export token/);
    await expect(pullReadings(testDb.prisma, { exportUrl: 'http://127.0.0.1:9', exportToken: TOKEN })).rejects.toThrow(/did not answer/);
  });
});
