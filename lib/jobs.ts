import { deliverDueAlerts } from '@/lib/alerts/deliver';
import { sendDueDigests } from '@/lib/alerts/digest';
import { evaluateAlertRules } from '@/lib/alerts/evaluate';
import { reconcileCustomCsrs } from '@/lib/custom-csrs/reconcile';
import { resumeBulkJobs } from '@/lib/data/bulk-run';
import { healPendingIssuances } from '@/lib/data/issuance/heal';
import { reconcileCertificates } from '@/lib/data/reconcile';
import { autoRevokeSuperseded } from '@/lib/data/renewal';
import { refreshPendingCertificates } from '@/lib/data/certificate-refresh';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { runEnforcementCheck } from '@/lib/mtls/enforcement';
import { pruneJobRuns } from '@/lib/queue/runs';
import { syncEst } from '@/lib/est/sync';
import { pullReadings } from '@/lib/readings/pull';

/**
 * certfleet's background work. Each entry is a queue on PostgreSQL (pg-boss, see lib/queue/worker.ts):
 * every job worker (`npm start`'s, `npm run worker`) puts one job per `everyMs` slot on it, the queue
 * keeps one per slot whoever puts it there, and runs it on one worker at a time, never two at once.
 * A run that throws is retried with backoff; one cut by a dead worker is run again.
 *
 * Each job is an exported domain function that is also reachable from a button in the app, so "on a
 * schedule and on demand" share one code path. A job returns a short summary when it changed
 * something, nothing otherwise (workers log only summaries). Adding a job is adding an entry here.
 */
export interface ScheduledJob {
  name: string;
  /** One run per slot of this length (whole seconds; at most 12 h, pg-boss's archive interval). */
  everyMs: number;
  /**
   * How long a run may take before the queue presumes it lost and lets another worker run it
   * (default 15 min). Dead workers are noticed sooner, by their heartbeat.
   */
  timeoutMs?: number;
  /**
   * How long a worker waits after it starts before it offers this job (default 5 s), so a cold start
   * (npm start, a deploy) does not run every job at the same moment.
   */
  firstRunMs?: number;
  run(prisma: PrismaClient, ctx: JobContext): Promise<string | void>;
}

export interface JobContext {
  /** Asks for a run of another job now (coalesced with one already waiting). */
  requestRun(name: string): Promise<void>;
  /** Which worker runs this, e.g. for a lease. */
  workerId: string;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** The Worker's export API (WORKER_EXPORT_URL and its token), or undefined when no Worker is configured. */
function workerExport(): { exportUrl: string; exportToken: string } | undefined {
  const exportUrl = process.env.WORKER_EXPORT_URL;
  const exportToken = process.env.WORKER_EXPORT_TOKEN;
  return exportUrl && exportToken ? { exportUrl, exportToken } : undefined;
}
const HOUR = 60 * MINUTE;

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  {
    name: 'pull-readings',
    everyMs: 15 * SECOND,
    firstRunMs: 2 * SECOND,
    timeoutMs: 10 * MINUTE,
    async run(prisma) {
      const worker = workerExport();
      if (!worker) return; // no Worker configured (a real zone without WORKER_EXPORT_URL)
      const s = await pullReadings(prisma, worker);
      if (s.readings) return `${s.readings} readings from ${s.certificates} certificates`;
    },
  },
  {
    // EST (docs/est.md): push enrollment tokens, issue what devices asked for at the Worker, hand it back.
    name: 'est-sync',
    everyMs: 10 * SECOND,
    firstRunMs: 3 * SECOND,
    timeoutMs: 30 * MINUTE,
    async run(prisma) {
      const worker = workerExport();
      if (!worker) return;
      const s = await syncEst(prisma, worker);
      if (s.seen || s.tokensPushed || s.errors.length) return s.summary;
    },
  },
  {
    name: 'follow-revocations',
    everyMs: 10 * SECOND,
    timeoutMs: 10 * MINUTE,
    async run(prisma) {
      const s = await refreshPendingCertificates(prisma);
      if (s.changed || s.failed) return `${s.changed} of ${s.checked} settled, ${s.proved} proved at the edge, ${s.failed} failed`;
    },
  },
  {
    name: 'heal-issuances',
    everyMs: MINUTE,
    firstRunMs: 20 * SECOND,
    // Reads back to its oldest cut intent (lib/data/issuance.ts): in a large zone at background priority, minutes.
    timeoutMs: 2 * HOUR,
    async run(prisma) {
      const s = await healPendingIssuances(prisma);
      if (s.recorded || s.abandoned) return `${s.recorded} recorded, ${s.abandoned} abandoned, ${s.stillPending} still pending`;
    },
  },
  {
    name: 'resume-bulk-jobs',
    everyMs: MINUTE,
    firstRunMs: 30 * SECOND,
    timeoutMs: 2 * HOUR,
    async run(prisma) {
      // Finishes bulk enrollments whose page was closed (only jobs idle for 2 minutes).
      const s = await resumeBulkJobs(prisma);
      if (s.jobs) return s.summary;
    },
  },
  {
    name: 'revoke-superseded',
    everyMs: MINUTE,
    firstRunMs: 25 * SECOND,
    async run(prisma) {
      const s = await autoRevokeSuperseded(prisma);
      if (s.revoked || s.errors.length) return s.summary;
    },
  },
  {
    name: 'reconcile-certificates',
    everyMs: 30 * MINUTE,
    firstRunMs: 60 * SECOND,
    // 100,000 certificates are 2,000 paced requests: about 10 minutes.
    timeoutMs: 2 * HOUR,
    async run(prisma) {
      const s = await reconcileCertificates(prisma);
      if (s.statusChanged || s.untracked || s.missing || s.healed || s.reappeared || s.error) return s.summary;
    },
  },
  {
    name: 'reconcile-custom-csrs',
    everyMs: 15 * MINUTE,
    firstRunMs: 30 * SECOND,
    async run(prisma) {
      const s = await reconcileCustomCsrs(prisma);
      const changed = s.csrsImported + s.csrsRemoved + s.hostnamesImported + s.hostnamesUpdated + s.hostnamesRemoved;
      if (changed) return `${changed} custom CSR / hostname changes`;
    },
  },
  {
    name: 'enforcement-check',
    everyMs: 5 * MINUTE,
    firstRunMs: 45 * SECOND,
    async run(prisma) {
      const s = await runEnforcementCheck(prisma);
      const open = s.results.filter((r) => !r.enforced).map((r) => r.hostname);
      if (open.length) return `not enforced: ${open.join(', ')}`;
    },
  },
  {
    name: 'evaluate-alerts',
    everyMs: MINUTE,
    firstRunMs: 15 * SECOND,
    async run(prisma, ctx) {
      const s = await evaluateAlertRules(prisma);
      // New messages go out now rather than at the delivery job's next slot.
      if (s.deliveries) await ctx.requestRun('deliver-alerts');
      if (s.raised || s.resolved || s.escalated) return s.summary;
    },
  },
  {
    name: 'deliver-alerts',
    everyMs: 5 * SECOND,
    firstRunMs: 10 * SECOND,
    async run(prisma, ctx) {
      const s = await deliverDueAlerts(prisma, { workerId: ctx.workerId });
      if (s.claimed) return s.summary;
    },
  },
  {
    name: 'alert-digests',
    everyMs: 5 * MINUTE,
    firstRunMs: 60 * SECOND,
    async run(prisma, ctx) {
      const s = await sendDueDigests(prisma);
      if (s.digests) {
        await ctx.requestRun('deliver-alerts');
        return s.summary;
      }
    },
  },
  {
    name: 'prune-job-runs',
    everyMs: HOUR,
    firstRunMs: 90 * SECOND,
    async run(prisma) {
      const pruned = await pruneJobRuns(prisma);
      if (pruned) return `${pruned} job runs older than 14 days removed`;
    },
  },
];
