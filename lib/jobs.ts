import { reconcileCustomCsrs } from '@/lib/custom-csrs/reconcile';
import { resumeBulkJobs } from '@/lib/data/bulk';
import { healPendingIssuances } from '@/lib/data/issuance';
import { reconcileCertificates } from '@/lib/data/reconcile';
import { autoRevokeSuperseded } from '@/lib/data/renewal';
import { refreshPendingCertificates } from '@/lib/data/revocation';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { runEnforcementCheck } from '@/lib/mtls/enforcement';
import { pullReadings } from '@/lib/readings/pull';

/**
 * certfleet's background work, run by the scheduler of `npm start` (scripts/lib/scheduler.ts) and
 * the e2e server. Each job is an exported domain function that is also reachable from a button in the
 * app, so "on a schedule and on demand" share one code path. A job returns a short summary when it
 * changed something, nothing otherwise (the scheduler logs only summaries).
 */
export interface ScheduledJob {
  name: string;
  everyMs: number;
  /** Delay before the first run after start (default 5 s). */
  firstRunMs?: number;
  run(prisma: PrismaClient): Promise<string | void>;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  {
    name: 'pull-readings',
    everyMs: 15 * SECOND,
    firstRunMs: 2 * SECOND,
    async run(prisma) {
      const exportUrl = process.env.WORKER_EXPORT_URL;
      const exportToken = process.env.WORKER_EXPORT_TOKEN;
      if (!exportUrl || !exportToken) return; // no Worker configured (a real zone without WORKER_EXPORT_URL)
      const s = await pullReadings(prisma, { exportUrl, exportToken });
      if (s.readings) return `${s.readings} readings from ${s.certificates} certificates`;
    },
  },
  {
    name: 'follow-revocations',
    everyMs: 10 * SECOND,
    async run(prisma) {
      const s = await refreshPendingCertificates(prisma);
      if (s.changed || s.failed) return `${s.changed} of ${s.checked} settled, ${s.proved} proved at the edge, ${s.failed} failed`;
    },
  },
  {
    name: 'heal-issuances',
    everyMs: MINUTE,
    firstRunMs: 20 * SECOND,
    async run(prisma) {
      const s = await healPendingIssuances(prisma);
      if (s.recorded || s.abandoned) return `${s.recorded} recorded, ${s.abandoned} abandoned, ${s.stillPending} still pending`;
    },
  },
  {
    name: 'resume-bulk-jobs',
    everyMs: MINUTE,
    firstRunMs: 30 * SECOND,
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
];
