import 'server-only';
/**
 * Bulk enrollment from a CSV (name, group, csr): a dry run reports every problem of every row before
 * anything is issued; a job then issues row by row on the server, paced under Cloudflare's rate limit.
 *
 * Each row's issuance is an intent with id `bulk:<job>:<row>`, so a row is never issued twice however
 * often it is tried: after a crash, a lost answer, a closed tab or a second worker. Rows are claimed
 * (QUEUED → ISSUING) one at a time; a claim older than `CLAIM_LEASE_MS` is taken to be abandoned and
 * tried again through its intent. The page drives the queue in short batches and shows progress; the
 * `resumeBulkJobs` job finishes jobs whose page was closed. This file checks, queues and reports; running a
 * job is bulk-run.ts.
 */
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { isPkiError, parseCsr } from '@/lib/pki';
import { sha256Hex } from '@/lib/pki/crypto';
import { BULK_VALIDITY_DAYS, type BulkCsvRow, readBulkCsv } from '@/lib/validation/bulk-csv';
import { type BulkUploadInput, BulkUploadSchema, commonNameSchema, deviceNameSchema, groupSchema } from '@/lib/validation/enrollment';
import { estimatePacedSeconds, pacedCloudflare } from '@/lib/cloudflare';

export type BulkRowStatus = 'QUEUED' | 'ISSUING' | 'ISSUED' | 'FAILED';

/** A claim not finished within this is abandoned (a crash): the row is tried again through its intent. */
export const CLAIM_LEASE_MS = 2 * 60_000;

/** Why a bulk request was refused; `report` (also in `details`) is the dry run that lists every row's problems. */
export class BulkError extends AppError<'FILE' | 'HAS_PROBLEMS' | 'NOT_FOUND'> {
  constructor(
    code: BulkError['code'],
    message: string,
    readonly report?: DryRunReport,
  ) {
    super(code, message, { details: report ? { report } : undefined });
    this.name = 'BulkError';
  }
}

export interface RowProblem {
  row: number;
  line: number;
  name: string;
  problems: string[];
}

export interface DryRunReport {
  /** Problems with the file as a whole (no header, unclosed quote…); then there are no rows. */
  fileError?: string;
  rows: number;
  /** Rows with no problem. */
  ready: number;
  problems: RowProblem[];
  validityDays: number;
  /** Seconds the paced queue needs for `ready` rows at Cloudflare's rate limit. */
  estimatedSeconds: number;
}

interface CheckedRow extends BulkCsvRow {
  commonName: string;
  csrPem: string;
  problems: string[];
}

const firstIssue = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? undefined : result.error?.issues[0]?.message;

async function checkRows(prisma: PrismaClient, rows: BulkCsvRow[]): Promise<CheckedRow[]> {
  const checked: CheckedRow[] = [];
  const nameRows = new Map<string, number>();
  const csrRows = new Map<string, number>();
  for (const row of rows) {
    const problems: string[] = [];
    if (!row.name) problems.push('The name is missing.');
    else {
      const bad = firstIssue(deviceNameSchema.safeParse(row.name));
      if (bad) problems.push(`Name: ${bad}`);
      const earlier = nameRows.get(row.name);
      if (earlier !== undefined) problems.push(`The name "${row.name}" is also used by row ${earlier} of this file.`);
      else nameRows.set(row.name, row.row);
    }
    if (!row.group) problems.push('The group is missing.');
    else {
      const bad = firstIssue(groupSchema.safeParse(row.group));
      if (bad) problems.push(`Group: ${bad}`);
    }
    let commonName = '';
    let csrPem = '';
    if (!row.csr) problems.push('The CSR is missing.');
    else {
      try {
        const csr = await parseCsr(row.csr);
        csrPem = csr.pem;
        commonName = csr.subject.CN ?? '';
        const bad = firstIssue(commonNameSchema.safeParse(commonName));
        if (bad) problems.push(`The CSR's common name: ${bad}`);
        const digest = await sha256Hex(csr.der);
        const earlier = csrRows.get(digest);
        if (earlier !== undefined) problems.push(`The same CSR (the same key) is in row ${earlier}: each device needs its own key.`);
        else csrRows.set(digest, row.row);
      } catch (error) {
        problems.push(`CSR: ${isPkiError(error) ? error.message : 'it cannot be read.'}`);
      }
    }
    checked.push({ ...row, commonName, csrPem, problems });
  }
  // Names taken by devices that exist already, looked up in chunks.
  const names = [...nameRows.keys()];
  for (let i = 0; i < names.length; i += 1000) {
    const taken = await prisma.device.findMany({ where: { name: { in: names.slice(i, i + 1000) } }, select: { name: true } });
    for (const { name } of taken) {
      const row = checked.find((r) => r.name === name && !r.problems.some((p) => p.includes('also used by row')));
      row?.problems.push(`A device named "${name}" exists already.`);
    }
  }
  return checked;
}

function reportOf(checked: CheckedRow[], pacer = pacedPolicy()): DryRunReport {
  const problems = checked.filter((r) => r.problems.length).map((r) => ({ row: r.row, line: r.line, name: r.name, problems: r.problems }));
  const ready = checked.length - problems.length;
  return { rows: checked.length, ready, problems, validityDays: BULK_VALIDITY_DAYS, estimatedSeconds: Math.ceil(estimatePacedSeconds(ready, pacer, 'bulk')) };
}

function pacedPolicy() {
  try {
    return pacedCloudflare({ priority: 'bulk' }).budget.policy;
  } catch {
    return undefined;
  }
}

/**
 * Checks a CSV without issuing anything: every row's problems (missing fields, bad names, bad CSRs,
 * names used twice in the file or by existing devices, one key for two devices).
 */
export async function dryRunBulkEnrollment(actor: SessionUser, input: BulkUploadInput, prisma: PrismaClient = db()): Promise<DryRunReport> {
  assertCan(actor, 'device:enroll');
  const { csv } = BulkUploadSchema.parse(input);
  const { rows, error } = readBulkCsv(csv);
  if (error) return { fileError: error, rows: 0, ready: 0, problems: [], validityDays: BULK_VALIDITY_DAYS, estimatedSeconds: 0 };
  return reportOf(await checkRows(prisma, rows));
}

/**
 * Checks the CSV again and, when no row has a problem, queues it as a job (nothing is issued yet).
 * @throws BulkError FILE / HAS_PROBLEMS (with the report)
 */
export async function createBulkJob(actor: SessionUser, input: BulkUploadInput, prisma: PrismaClient = db()): Promise<{ jobId: string; rows: number }> {
  assertCan(actor, 'device:enroll');
  const { csv } = BulkUploadSchema.parse(input);
  const { rows, error } = readBulkCsv(csv);
  if (error) throw new BulkError('FILE', error);
  const checked = await checkRows(prisma, rows);
  const report = reportOf(checked);
  if (report.problems.length) {
    throw new BulkError('HAS_PROBLEMS', `${report.problems.length} of ${report.rows} rows have problems; fix them and upload again. Nothing was issued.`, report);
  }
  const job = await prisma.$transaction(async (tx) => {
    const created = await tx.bulkJob.create({ data: { createdById: actor.id }, select: { id: true } });
    await tx.bulkJobRow.createMany({
      data: checked.map((r) => ({ jobId: created.id, rowIndex: r.row, name: r.name, group: r.group, csr: r.csrPem })),
    });
    await recordAudit(tx, {
      actor,
      action: 'bulk.create',
      targetType: 'bulk_job',
      targetId: created.id,
      targetLabel: `${checked.length} devices`,
      details: { rows: checked.length, validityDays: BULK_VALIDITY_DAYS, groups: [...new Set(checked.map((r) => r.group))] },
    });
    return created;
  });
  return { jobId: job.id, rows: checked.length };
}

export interface BulkProgress {
  jobId: string;
  total: number;
  issued: number;
  failed: number;
  queued: number;
  issuing: number;
  finished: boolean;
  finishedAt: string | null;
  /** The queue paused itself: try again after this many seconds (Cloudflare's retry-after, or a short back-off). */
  waitSeconds?: number;
  /** Why it paused. */
  message?: string;
}

export interface BulkRowView {
  row: number;
  name: string;
  group: string;
  status: BulkRowStatus;
  error: string | null;
  certificateId: string | null;
}

/** A job's counts by row status. @throws BulkError NOT_FOUND */
export async function progressOf(prisma: PrismaClient, jobId: string): Promise<BulkProgress> {
  const job = await prisma.bulkJob.findUnique({ where: { id: jobId }, select: { id: true, finishedAt: true } });
  if (!job) throw new BulkError('NOT_FOUND', 'There is no such bulk job.');
  const counts = await prisma.bulkJobRow.groupBy({ by: ['status'], where: { jobId }, _count: { _all: true } });
  const n = (s: BulkRowStatus) => counts.find((c) => c.status === s)?._count._all ?? 0;
  const progress = { issued: n('ISSUED'), failed: n('FAILED'), queued: n('QUEUED'), issuing: n('ISSUING') };
  const total = counts.reduce((sum, c) => sum + c._count._all, 0);
  return {
    jobId,
    total,
    ...progress,
    finished: progress.queued + progress.issuing === 0,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** A job's progress and, with `rows`, each row's result (for the page). */
export async function getBulkJob(actor: SessionUser, jobId: string, opts: { rows?: boolean } = {}, prisma: PrismaClient = db()) {
  assertCan(actor, 'device:enroll');
  const progress = await progressOf(prisma, jobId);
  const rows: BulkRowView[] | undefined = opts.rows
    ? (
        await prisma.bulkJobRow.findMany({
          where: { jobId },
          orderBy: { rowIndex: 'asc' },
          select: { rowIndex: true, name: true, group: true, status: true, error: true, certificateId: true },
        })
      ).map((r) => ({ row: r.rowIndex, name: r.name, group: r.group, status: r.status as BulkRowStatus, error: r.error, certificateId: r.certificateId }))
    : undefined;
  return { progress, rows };
}
/**
 * Puts the failed rows of a job back in the queue. Safe: a row fails only when Cloudflare certainly
 * did not sign it (or it was refused before asking), and its intent id stays the same.
 */
export async function retryFailedRows(actor: SessionUser, jobId: string, prisma: PrismaClient = db()): Promise<BulkProgress> {
  assertCan(actor, 'device:enroll');
  await progressOf(prisma, jobId);
  const requeued = await prisma.bulkJobRow.updateMany({ where: { jobId, status: 'FAILED' }, data: { status: 'QUEUED' } });
  if (requeued.count) {
    await prisma.$transaction(async (tx) => {
      await tx.bulkJob.update({ where: { id: jobId }, data: { finishedAt: null } });
      await recordAudit(tx, { actor, action: 'bulk.retry', targetType: 'bulk_job', targetId: jobId, details: { rows: requeued.count } });
    });
  }
  return progressOf(prisma, jobId);
}

export interface BulkJobSummary {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  total: number;
  issued: number;
  failed: number;
}

/** The latest jobs, for the page's "recent jobs" list (to resume one after closing the tab). */
export async function listRecentBulkJobs(actor: SessionUser, prisma: PrismaClient = db(), take = 10): Promise<BulkJobSummary[]> {
  assertCan(actor, 'device:enroll');
  const jobs = await prisma.bulkJob.findMany({ orderBy: { createdAt: 'desc' }, take, select: { id: true, createdAt: true, finishedAt: true } });
  const counts = await prisma.bulkJobRow.groupBy({ by: ['jobId', 'status'], where: { jobId: { in: jobs.map((j) => j.id) } }, _count: { _all: true } });
  return jobs.map((j) => {
    const of = (status?: string) => counts.filter((c) => c.jobId === j.id && (!status || c.status === status)).reduce((s, c) => s + c._count._all, 0);
    return { id: j.id, createdAt: j.createdAt.toISOString(), finishedAt: j.finishedAt?.toISOString() ?? null, total: of(), issued: of('ISSUED'), failed: of('FAILED') };
  });
}
