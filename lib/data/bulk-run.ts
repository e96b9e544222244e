import 'server-only';
/**
 * Running a bulk job: rows claimed one at a time (a claim older than `CLAIM_LEASE_MS` is abandoned and tried
 * again through its intent), each issued through its own intent `bulk:<job>:<row>` (what follows the issuance,
 * the row ISSUED or FAILED, is bulk's step in lib/data/issuance/after-bulk.ts); the page drives it in short
 * batches, `resumeBulkJobs` finishes jobs whose page was closed. Checking and queueing a CSV is bulk.ts.
 */
import { recordAudit } from '@/lib/audit';
import { assertCan } from '@/lib/auth/errors';
import { pacedCloudflare, type PacedCloudflare } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { parseCsr } from '@/lib/pki';
import { BULK_VALIDITY_DAYS } from '@/lib/validation/bulk-csv';
import { type BulkProgress, type BulkRowStatus, CLAIM_LEASE_MS, progressOf } from './bulk';
import { bulkRequestId } from './issuance/after-bulk';
import { IssuanceError } from './issuance/errors';
import { issueCertificate } from './issuance/issue';
import type { IssuanceActor, SystemActor } from './issuance/types';

/** Claims the next row to issue: a queued one, or one whose earlier claim was abandoned. */
async function claimNextRow(prisma: PrismaClient, jobId: string, now: Date) {
  for (let tries = 0; tries < 5; tries++) {
    const row = await prisma.bulkJobRow.findFirst({
      where: {
        jobId,
        OR: [{ status: 'QUEUED' }, { status: 'ISSUING', updatedAt: { lt: new Date(now.getTime() - CLAIM_LEASE_MS) } }],
      },
      orderBy: { rowIndex: 'asc' },
    });
    if (!row) return null;
    const claimed = await prisma.bulkJobRow.updateMany({
      where: { id: row.id, status: row.status, updatedAt: row.updatedAt },
      data: { status: 'ISSUING' },
    });
    if (claimed.count === 1) return row;
  }
  return null;
}

/** Releases a claimed row; tried a few times, since a row left ISSUING waits for its lease to expire. */
async function settleRow(prisma: PrismaClient, id: string, data: { status: BulkRowStatus; error: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await prisma.bulkJobRow.update({ where: { id }, data });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

export interface ProcessOptions {
  /** Stop taking rows after this long (the page calls again); default 8 s. */
  budgetMs?: number;
  maxRows?: number;
  prisma?: PrismaClient;
  cloudflare?: PacedCloudflare;
}

/**
 * Issues the next rows of a job for about `budgetMs`, each through its own intent, and answers with
 * the progress. Cloudflare's 429 (with its retry-after) and lost answers put the row back in the
 * queue and pause the batch: the answer's `waitSeconds` says when to call again.
 */
export async function processBulkJob(actor: IssuanceActor, jobId: string, opts: ProcessOptions = {}): Promise<BulkProgress> {
  if ('role' in actor) assertCan(actor, 'device:enroll');
  const prisma = opts.prisma ?? db();
  const cloudflare = opts.cloudflare ?? pacedCloudflare({ priority: 'bulk' });
  const deadline = Date.now() + (opts.budgetMs ?? 8_000);
  const maxRows = opts.maxRows ?? Infinity;
  await progressOf(prisma, jobId);
  let done = 0;
  let pause: { waitSeconds: number; message: string } | undefined;

  while (Date.now() < deadline && done < maxRows) {
    const row = await claimNextRow(prisma, jobId, new Date());
    if (!row) break;
    done++;
    try {
      const csr = await parseCsr(row.csr);
      await issueCertificate(
        {
          device: { create: { name: row.name, group: row.group, commonName: csr.subject.CN ?? row.name } },
          csr,
          validityDays: BULK_VALIDITY_DAYS,
          source: 'BULK',
          actor,
          requestId: bulkRequestId(jobId, row.rowIndex),
        },
        { prisma, cloudflare },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Refusals (bad CSR, taken name, quota) fail the row; Cloudflare's pauses and unexpected errors
      // (a database hiccup) put it back: its intent keeps a retry from issuing twice.
      const transient = error instanceof IssuanceError ? error.retryable : true;
      await settleRow(prisma, row.id, { status: transient ? 'QUEUED' : 'FAILED', error: message.slice(0, 1000) });
      if (transient) {
        const retryAfter = error instanceof IssuanceError ? error.retryAfter : undefined;
        pause = { waitSeconds: retryAfter ?? (error instanceof IssuanceError ? 5 : 2), message };
        break;
      }
    }
  }

  const progress = await progressOf(prisma, jobId);
  if (!pause && done === 0 && !progress.finished) {
    // Nothing to claim, yet rows are in progress: another worker has them, or an interrupted claim
    // has not expired yet. Come back later instead of asking again at once.
    pause = { waitSeconds: 5, message: `${progress.issuing} row(s) are being issued elsewhere or were interrupted; checking again shortly.` };
  }
  if (progress.finished && !progress.finishedAt) {
    const finishedAt = new Date();
    const marked = await prisma.bulkJob.updateMany({ where: { id: jobId, finishedAt: null }, data: { finishedAt } });
    if (marked.count === 1) {
      await prisma.$transaction((tx) =>
        recordAudit(tx, {
          actor,
          action: 'bulk.finish',
          targetType: 'bulk_job',
          targetId: jobId,
          targetLabel: `${progress.total} devices`,
          details: { issued: progress.issued, failed: progress.failed },
        }),
      );
    }
    progress.finishedAt = finishedAt.toISOString();
  }
  return { ...progress, ...pause };
}
const RESUME_ACTOR: SystemActor = { id: null, email: 'system:bulk-resume' };

/**
 * Scheduler job: finishes bulk jobs nobody is driving (no row touched for `idleMs`, default 2 min),
 * e.g. after the page was closed or the server restarted. Rows are claimed, so it never competes
 * with an open page for the same row.
 */
export async function resumeBulkJobs(
  prisma: PrismaClient,
  opts: { idleMs?: number; budgetMs?: number; cloudflare?: PacedCloudflare } = {},
): Promise<{ jobs: number; progress: BulkProgress[]; summary: string }> {
  const idleSince = new Date(Date.now() - (opts.idleMs ?? 2 * 60_000));
  const open = await prisma.bulkJob.findMany({ where: { finishedAt: null }, select: { id: true }, orderBy: { createdAt: 'asc' } });
  const progress: BulkProgress[] = [];
  for (const { id } of open) {
    const recent = await prisma.bulkJobRow.count({ where: { jobId: id, updatedAt: { gte: idleSince }, status: { in: ['ISSUING', 'ISSUED', 'FAILED'] } } });
    if (recent > 0) continue;
    progress.push(await processBulkJob(RESUME_ACTOR, id, { prisma, budgetMs: opts.budgetMs ?? 50_000, cloudflare: opts.cloudflare }));
  }
  const issued = progress.reduce((s, p) => s + p.issued, 0);
  return { jobs: progress.length, progress, summary: progress.length ? `${progress.length} idle bulk jobs resumed (${issued} rows issued so far)` : 'no idle bulk jobs' };
}
