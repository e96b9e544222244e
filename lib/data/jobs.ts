import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { SCHEDULED_JOBS } from '@/lib/jobs';
import { type JobStatusRow, readJobStatus, readWorkers, type WorkerRow } from '@/lib/queue/runs';

/** Workers silent this long count as gone (lib/queue/worker.ts's default). */
const STALE_MS = 60_000;

export interface JobsStatus {
  jobs: (JobStatusRow & { everyMs: number })[];
  workers: WorkerRow[];
}

/** For Settings: each background job's latest run and the workers running them. */
export async function getJobsStatus(actor: SessionUser): Promise<JobsStatus> {
  assertCan(actor, 'settings:view');
  const [rows, workers] = await Promise.all([readJobStatus(db(), SCHEDULED_JOBS.map((j) => j.name)), readWorkers(db(), STALE_MS)]);
  const every = new Map(SCHEDULED_JOBS.map((j) => [j.name, j.everyMs] as const));
  return { jobs: rows.map((r) => ({ ...r, everyMs: every.get(r.job) ?? 0 })), workers };
}
