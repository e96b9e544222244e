import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import type { CloudflareConfig } from '@/lib/cloudflare';
import { csrDigest } from '@/lib/certificates/record';
import { generateKeyAndCsr, parseCertificate } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { csvField, parseCsv, readBulkCsv } from '@/lib/validation/bulk-csv';
import { startTestCloudflare, type TestCloudflare } from '@/emulator/testing/harness';
import { defaultConfig } from '@/emulator';
import { strFromU8, unzipSync } from 'fflate';
import { createBulkJob, dryRunBulkEnrollment, getBulkJob, retryFailedRows } from './bulk';
import { processBulkJob } from './bulk-run';
import { buildBulkBundle, MANIFEST_COLUMNS } from './bulk-bundle';
import { bulkRequestId } from './issuance/after-bulk';
import { issueCertificate } from './issuance/issue';
import { pacedCloudflare, rateBudgetFor, type RateBudget } from '@/lib/cloudflare';

const fixture = (name: string) => readFileSync(new URL(`../pki/fixtures/${name}`, import.meta.url), 'utf8');

let testDb: TestDatabase;
let cf: TestCloudflare;
let config: CloudflareConfig;
let admin: SessionUser;

const csr = async (cn: string) => (await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: cn } })).csrPem;
const csvOf = (rows: (string | undefined)[][]) =>
  ['name,group,csr', ...rows.map((r) => r.map((f) => csvField(f ?? '')).join(','))].join('\r\n') + '\r\n';
const client = (budget: RateBudget = rateBudgetFor(config, { prisma: () => testDb.prisma })) => pacedCloudflare({ config, budget, priority: 'bulk' });

beforeAll(async () => {
  testDb = await createTestDatabase();
  cf = await startTestCloudflare({ rateLimit: null });
  config = { apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl };
  const user = await testDb.prisma.user.create({ data: { email: 'admin@bulk.test', name: 'Admin', role: 'ADMIN', passwordHash: 'x' } });
  admin = { id: user.id, email: user.email, name: user.name, role: 'ADMIN' };
  await testDb.prisma.device.create({ data: { name: 'already-here', group: 'lab', commonName: 'already-here' } });
});

afterAll(async () => {
  await cf?.cleanup();
  await testDb?.stop();
});

describe('CSV', () => {
  it('reads quoted multi-line fields with doubled quotes, CRLF, any column order and blank lines', () => {
    const text = 'group,CSR,name\r\nlab,"line one\r\nline ""two""",a-1\r\n\r\nwarehouse,plain,b-2';
    expect(parseCsv(text).records).toEqual([
      { line: 2, fields: ['lab', 'line one\r\nline "two"', 'a-1'] },
      { line: 5, fields: ['warehouse', 'plain', 'b-2'] },
    ]);
    expect(readBulkCsv(text).rows.map((r) => [r.row, r.line, r.name, r.group])).toEqual([
      [1, 2, 'a-1', 'lab'],
      [2, 5, 'b-2', 'warehouse'],
    ]);
  });

  it('says what is wrong with a file as a whole', () => {
    expect(readBulkCsv('name,group\nx,y').error).toMatch(/missing: csr/);
    expect(readBulkCsv('name,group,csr\nx,y,"open').error).toMatch(/never closed/);
    expect(readBulkCsv('name,group,csr\n').error).toMatch(/no rows/);
  });
});

describe('bulk enrollment', () => {
  it('the dry run reports every problem of every row and writes nothing', async () => {
    const good = await csr('good-1');
    const shared = await csr('shared');
    const text = csvOf([
      ['good-1', 'lab', good],
      ['', 'lab', await csr('nameless')],
      ['no-group', '', await csr('no-group')],
      ['no-csr', 'lab', ''],
      ['garbage', 'lab', 'not a csr at all'],
      ['weak', 'lab', fixture('rsa1024.csr')],
      ['tampered', 'lab', fixture('tampered.csr')],
      ['twice', 'lab', shared],
      ['twice', 'lab', await csr('twice-2')],
      ['same-key', 'lab', shared],
      ['already-here', 'lab', await csr('already-here')],
      ['bad name!', 'lab', await csr('bad-name')],
    ]);
    const before = { devices: await testDb.prisma.device.count(), jobs: await testDb.prisma.bulkJob.count(), cloudflare: cf.store.listClientCertificates('all').length };
    const report = await dryRunBulkEnrollment(admin, { csv: text }, testDb.prisma);
    expect(report.rows).toBe(12);
    const byRow = Object.fromEntries(report.problems.map((p) => [p.row, p.problems.join(' | ')]));
    expect(byRow[1]).toBeUndefined();
    expect(byRow[2]).toMatch(/name is missing/);
    expect(byRow[3]).toMatch(/group is missing/);
    expect(byRow[4]).toMatch(/CSR is missing/);
    expect(byRow[5]).toMatch(/not a certificate signing request/i);
    expect(byRow[6]).toMatch(/1024 bits/);
    expect(byRow[7]).toMatch(/signature does not verify/);
    expect(byRow[8]).toBeUndefined();
    expect(byRow[9]).toMatch(/also used by row 8/);
    expect(byRow[10]).toMatch(/same CSR .* row 8/);
    expect(byRow[11]).toMatch(/"already-here" exists already/);
    expect(byRow[12]).toMatch(/Name: Use letters/);
    expect(report.ready).toBe(2);
    expect(report.problems.find((p) => p.row === 5)?.line).toBe(text.split(/\r?\n/).findIndex((l) => l.startsWith('garbage,')) + 1);

    await expect(createBulkJob(admin, { csv: text }, testDb.prisma)).rejects.toMatchObject({ code: 'HAS_PROBLEMS', report: { ready: 2 } });
    expect({ devices: await testDb.prisma.device.count(), jobs: await testDb.prisma.bulkJob.count(), cloudflare: cf.store.listClientCertificates('all').length }).toEqual(before);
  });

  it('resumes after failures and a crash without issuing any row twice', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `resume-${String(i + 1).padStart(2, '0')}`);
    const csrs = await Promise.all(names.map((n) => csr(n)));
    const { jobId, rows } = await createBulkJob(admin, { csv: csvOf(names.map((n, i) => [n, 'freezer-hall', csrs[i]])) }, testDb.prisma);
    expect(rows).toBe(12);

    // A first batch.
    let progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client(), maxRows: 4, budgetMs: 60_000 });
    expect(progress).toMatchObject({ total: 12, issued: 4, queued: 8, finished: false });

    // Cloudflare fails: the row goes back to the queue and the batch pauses.
    cf.configure({ faults: { latencyMs: 0, errorRate: 1, dropRate: 0, seed: 1 } });
    progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client() });
    expect(progress).toMatchObject({ issued: 4, queued: 8, finished: false, waitSeconds: expect.any(Number) });
    expect(progress.message).toMatch(/server error/i);
    cf.configure({ faults: defaultConfig().faults });

    // A crash: row 5 was signed by Cloudflare, then the process died before recording it, holding the claim.
    await expect(
      issueCertificate(
        { device: { create: { name: names[4], group: 'freezer-hall', commonName: names[4] } }, csrPem: csrs[4], validityDays: 3650, source: 'BULK', actor: admin, requestId: bulkRequestId(jobId, 5) },
        { prisma: testDb.prisma, cloudflare: client(), onStep: () => Promise.reject(new Error('killed')) },
      ),
    ).rejects.toMatchObject({ code: 'RECORD_FAILED' });
    await testDb.prisma.$executeRaw`UPDATE "BulkJobRow" SET "status" = 'ISSUING', "updatedAt" = now() - interval '10 minutes' WHERE "jobId" = ${jobId} AND "rowIndex" = 5`;

    progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client(), budgetMs: 60_000 });
    expect(progress).toMatchObject({ total: 12, issued: 12, failed: 0, finished: true });
    expect(progress.finishedAt).toBeTruthy();

    // Exactly one certificate per row, at Cloudflare and in the database.
    const digests = await Promise.all(csrs.map((p) => csrDigest(p)));
    const atCloudflare = await Promise.all(cf.store.listClientCertificates('all').map((c) => csrDigest(c.csr)));
    for (const d of digests) expect(atCloudflare.filter((x) => x === d)).toHaveLength(1);
    const devices = await testDb.prisma.device.findMany({ where: { name: { in: names } }, include: { certificates: true } });
    expect(devices).toHaveLength(12);
    for (const d of devices) {
      expect(d.status).toBe('ACTIVE');
      expect(d.certificates).toHaveLength(1);
      expect(d.certificates[0]).toMatchObject({ source: 'BULK', validityDays: 3650 });
    }
    const { rows: rowViews } = await getBulkJob(admin, jobId, { rows: true }, testDb.prisma);
    expect(rowViews?.every((r) => r.status === 'ISSUED' && r.certificateId)).toBe(true);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'bulk.finish', targetId: jobId } })).toBe(1);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'device.enroll', actorEmail: admin.email, targetLabel: { in: names } } })).toBe(12);

    // One download for the job: every certificate as PEM and a manifest that names each one.
    const bundle = await buildBulkBundle(admin, jobId, testDb.prisma);
    expect(bundle).toMatchObject({ rows: 12, issued: 12, fileName: `certfleet-bulk-${jobId}.zip` });
    const files = unzipSync(bundle.zip);
    const manifestText = strFromU8(files['manifest.csv']);
    expect(manifestText.split('\r\n')[0]).toBe(MANIFEST_COLUMNS.join(','));
    const manifest = parseCsv(manifestText).records.map((r) => r.fields);
    expect(manifest.map((f) => f[1])).toEqual(names);
    for (const [row, name, group, status, file, serial, ski, fingerprint, expiresOn, error] of manifest) {
      expect([group, status, error]).toEqual(['freezer-hall', 'ISSUED', '']);
      expect(file).toBe(`certificates/${row.padStart(5, '0')}-${name}.pem`);
      const parsed = await parseCertificate(strFromU8(files[file]));
      expect(parsed.subject.CN).toBe(name);
      expect([parsed.serialNumber, parsed.ski, parsed.fingerprintSha256, parsed.notAfter.toISOString()]).toEqual([serial, ski, fingerprint, expiresOn]);
    }
    expect(Object.keys(files)).toHaveLength(13);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'bulk.download', targetId: jobId } })).toBe(1);
    await expect(buildBulkBundle(admin, 'no-such-job', testDb.prisma)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a quota refusal fails the row with the reason; retrying failed rows issues it once the quota allows', async () => {
    const names = ['quota-1', 'quota-2'];
    const csrs = await Promise.all(names.map((n) => csr(n)));
    const { jobId } = await createBulkJob(admin, { csv: csvOf(names.map((n, i) => [n, 'lab', csrs[i]])) }, testDb.prisma);
    const current = cf.store.listClientCertificates('active').length;
    cf.configure({ clientCertificateQuota: current + 1 });
    let progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client() });
    expect(progress).toMatchObject({ issued: 1, failed: 1, finished: true });
    const { rows } = await getBulkJob(admin, jobId, { rows: true }, testDb.prisma);
    expect(rows?.find((r) => r.status === 'FAILED')?.error).toMatch(/quota/i);
    expect(await testDb.prisma.device.findUnique({ where: { name: 'quota-2' } })).toBeNull();

    cf.configure({ clientCertificateQuota: null });
    await retryFailedRows(admin, jobId, testDb.prisma);
    progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client(), budgetMs: 60_000 });
    expect(progress).toMatchObject({ issued: 2, failed: 0, finished: true });
  });

  it('stays under a small rate limit: paced, never locked out', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `paced-${i}`);
    const csrs = await Promise.all(names.map((n) => csr(n)));
    const { jobId } = await createBulkJob(admin, { csv: csvOf(names.map((n, i) => [n, 'lab', csrs[i]])) }, testDb.prisma);
    // 8 requests per 2 s; the first request over it locks the token out for a minute.
    cf.configure({ rateLimit: { limit: 8, windowMs: 2_000, lockoutMs: 60_000 } });
    // The budget follows the same policy (CLOUDFLARE_API_RATE_LIMIT=8/2 would set it in a process).
    const pacer = rateBudgetFor(config, { prisma: () => testDb.prisma, policy: { limit: 8, windowMs: 2_000 } });
    await pacer.reset();
    const started = Date.now();
    try {
      let progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client(pacer), budgetMs: 60_000 });
      while (!progress.finished && !progress.waitSeconds) progress = await processBulkJob(admin, jobId, { prisma: testDb.prisma, cloudflare: client(pacer), budgetMs: 60_000 });
      expect(progress).toMatchObject({ issued: 24, failed: 0, finished: true });
    } finally {
      cf.configure({ rateLimit: null });
    }
    expect(pacer.stats.rateLimited).toBe(0);
    expect(pacer.stats.policy).toEqual({ limit: 8, windowMs: 2_000 });
    // 24 requests at 8 per 2 s cannot take less than ~4 s: the pacing did happen.
    expect(Date.now() - started).toBeGreaterThan(3_500);
  });
});
