import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import PgBoss from 'pg-boss';
import { recordCloudflareLockout } from '@/lib/alerts/lockout';
import { isCloudflareError } from '@/lib/cloudflare';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { type JobContext, SCHEDULED_JOBS, type ScheduledJob } from '@/lib/jobs';
import { claimOrphanedRuns, finishRun, heartbeat, markWorkerStopped, registerWorker, startRun } from './runs';

/*
 * A job worker: runs lib/jobs.ts on pg-boss (a job queue in PostgreSQL, schema `pgboss`). Any number of
 * workers, in any number of processes and hosts, share one database:
 *
 * - Schedule. Every second each worker offers every job for the current slot (`singletonSeconds` =
 *   the job's interval). pg-boss computes the slot from the database's clock and keeps one job per
 *   queue and slot with a unique index, so however many workers offer it, each slot runs once.
 * - One at a time. Each queue has the `stately` policy: at most one job waiting and one running, so a
 *   job never overlaps itself and slots missed while it ran collapse into one.
 * - Retries. A run that throws is retried with exponential backoff (3 retries from 10 s).
 * - Dead workers. Each worker records its runs (JobRun) and beats every few seconds (JobWorker); a
 *   worker that finds a run whose worker stopped beating fails it in pg-boss, which retries it on a
 *   live worker. `timeoutMs` (pg-boss's expiry) is the backstop when no worker is left to notice.
 * - Stop. `stop()` stops taking jobs and waits for running ones (up to `stopTimeoutMs`).
 *
 * Why pg-boss and not graphile-worker: see docs/jobs.md (in short, on the embedded PGlite every
 * connection shares one session, which breaks graphile-worker's named prepared statements and
 * LISTEN/NOTIFY, while pg-boss only polls and keys its slots on the database's clock).
 */

export interface JobWorkerOptions {
  databaseUrl: string;
  prisma: PrismaClient;
  jobs?: readonly ScheduledJob[];
  /** Interval overrides by job name, in ms (see parseJobIntervals). */
  everyMs?: Readonly<Record<string, number>>;
  log?: (line: string) => void;
  /** How often each queue is polled (default 2 s). */
  pollSeconds?: number;
  /** Heartbeat period (default 5 s); a worker silent for `staleMs` (default 60 s) is presumed dead. */
  heartbeatMs?: number;
  staleMs?: number;
  /** How long stop() waits for running jobs (default 60 s). */
  stopTimeoutMs?: number;
  /** First retry after this long, doubling (with jitter) each time (default 10 s). */
  retryDelaySeconds?: number;
  /** Names this worker in JobRun/JobWorker (default host:pid:random). */
  workerId?: string;
}

export interface JobWorker {
  id: string;
  /** Puts a run of `name` on the queue now (coalesced with one already waiting). */
  requestRun(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The key every job of a queue shares, so the `stately` policy applies to the queue as a whole. */
const QUEUE_KEY = 'certfleet';
const MAX_EVERY_MS = 12 * 3_600_000;

export async function startJobWorker(opts: JobWorkerOptions): Promise<JobWorker> {
  const { prisma } = opts;
  const jobs = (opts.jobs ?? SCHEDULED_JOBS).map((job) => ({ ...job, everyMs: opts.everyMs?.[job.name] ?? job.everyMs }));
  for (const job of jobs) {
    if (job.everyMs % 1000 !== 0 || job.everyMs < 1000 || job.everyMs > MAX_EVERY_MS) {
      throw new Error(`job ${job.name}: everyMs must be whole seconds between 1 s and 12 h (got ${job.everyMs})`);
    }
  }
  const log = opts.log ?? ((line: string) => console.log(line));
  const id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  const staleMs = opts.staleMs ?? 60_000;

  const boss = new PgBoss({
    connectionString: opts.databaseUrl,
    max: 4,
    application_name: `certfleet-worker ${id}`,
    // Our own ticker schedules (sub-minute slots); pg-boss's cron is per minute.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: 30,
  });
  boss.on('error', (error) => log(`[jobs] queue error: ${error.message}`));
  await boss.start();
  await registerWorker(prisma, { id, host: hostname(), pid: process.pid });

  for (const job of jobs) {
    await ensureQueue(boss, job.name, {
      name: job.name,
      policy: 'stately',
      retryLimit: 3,
      retryDelay: opts.retryDelaySeconds ?? 10,
      retryBackoff: true,
      expireInSeconds: Math.ceil((job.timeoutMs ?? 15 * 60_000) / 1000),
    });
  }

  const requestRun = async (name: string) => {
    if (!jobs.some((j) => j.name === name)) throw new Error(`no job named ${name}`);
    await boss.send(name, {}, { singletonKey: QUEUE_KEY });
  };
  const ctx: JobContext = { requestRun, workerId: id };

  for (const job of jobs) {
    await boss.work<object>(job.name, { pollingIntervalSeconds: opts.pollSeconds ?? 2, includeMetadata: true }, async ([queued]) => {
      if (!queued) return;
      const runId = await startRun(prisma, { job: job.name, queueJobId: queued.id, slot: queued.singletonOn ?? null, workerId: id });
      const started = Date.now();
      try {
        const summary = await job.run(prisma, ctx);
        await finishRun(prisma, runId, { ok: true, summary: summary || null });
        if (summary) log(`[jobs] ${job.name}: ${summary} (${Date.now() - started} ms)`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`[jobs] ${job.name} failed (attempt ${queued.retryCount + 1}, retried with backoff): ${message}`);
        if (isCloudflareError(error) && error.code === 'RATE_LIMITED') {
          await recordCloudflareLockout(prisma, { retryAfterSeconds: error.retryAfter, operation: error.operation, source: `job ${job.name}` }).catch(() => {});
        }
        await finishRun(prisma, runId, { ok: false, error: message.slice(0, 2000) }).catch(() => {});
        throw error;
      }
    });
  }

  // Offer every job for its current slot; the queue keeps the first offer of each slot. A job is offered
  // only once its firstRunMs has passed since this worker started, so a cold start is staggered.
  const startedAt = Date.now();
  const offer = async () => {
    const due = jobs.filter((job) => Date.now() - startedAt >= (job.firstRunMs ?? 5_000));
    if (due.length) await boss.insert(due.map((job) => ({ name: job.name, singletonKey: QUEUE_KEY, singletonSeconds: job.everyMs / 1000 })));
  };

  // Runs of workers that stopped beating: fail them in pg-boss (which retries them here or elsewhere),
  // unless the queue has already moved on (expired and restarted the job).
  const recoverOrphans = async () => {
    for (const run of await claimOrphanedRuns(prisma, staleMs)) {
      const current = await boss.getJobById(run.job, run.queueJobId, { includeArchive: false });
      if (current?.state === 'active' && current.startedOn && current.startedOn.getTime() <= run.startedAt.getTime() + 1_000) {
        await boss.fail(run.job, run.queueJobId, { message: `worker ${run.workerId} stopped before the run ended` });
        log(`[jobs] ${run.job}: worker ${run.workerId} stopped mid-run; queued again`);
      }
    }
  };

  let stopped = false;
  const guarded = (what: string, fn: () => Promise<unknown>) => async () => {
    if (stopped) return;
    try {
      await fn();
    } catch (error) {
      if (!stopped) log(`[jobs] ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await offer();
  let ticking = false;
  const tickTimer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void guarded('schedule', offer)().finally(() => (ticking = false));
  }, 1_000);
  let beating = false;
  const beatTimer = setInterval(() => {
    if (beating) return;
    beating = true;
    void guarded('heartbeat', async () => {
      await heartbeat(prisma, id);
      await recoverOrphans();
    })().finally(() => (beating = false));
  }, heartbeatMs);

  return {
    id,
    requestRun,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(tickTimer);
      clearInterval(beatTimer);
      await boss.stop({ graceful: true, wait: true, timeout: opts.stopTimeoutMs ?? 60_000 });
      await markWorkerStopped(prisma, id).catch(() => {});
    },
  };
}

/**
 * Creates a queue unless it exists. Replicas starting together on a fresh database race in pg-boss's
 * create_queue: one inserts the queue row and then adds a foreign key to the queue table, while another
 * waits on that row holding a lock the foreign key needs, and PostgreSQL aborts one of them with
 * "deadlock detected" (40P01). The aborted side changed nothing, so it tries again after a short,
 * jittered pause and then finds the queue made.
 */
async function ensureQueue(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (await boss.getQueue(name)) return;
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      const deadlock = (error as { code?: string }).code === '40P01' || /deadlock detected/.test(String(error));
      if (!deadlock || attempt >= 8) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 200));
    }
  }
}

/**
 * Interval overrides from text such as CERTFLEET_JOB_EVERY="evaluate-alerts=10s,deliver-alerts=2s"
 * (units ms, s, m, h). The e2e server uses it to run alert evaluation every 10 s.
 */
export function parseJobIntervals(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([\w.-]+)=(\d+)(ms|s|m|h)$/.exec(part);
    if (!match) throw new Error(`CERTFLEET_JOB_EVERY: cannot read "${part}" (expected name=10s)`);
    const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[3] as 'ms' | 's' | 'm' | 'h'];
    out[match[1]!] = Number(match[2]) * unit;
  }
  return out;
}
