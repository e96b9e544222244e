import type { PrismaClient } from '@/lib/generated/prisma/client';

/*
 * certfleet's record of its background work, beside pg-boss's own tables: which worker ran which job for
 * which slot (JobRun), and which workers are alive (JobWorker.heartbeatAt). Times are the database's
 * clock (`now()`), never a worker's, so workers on hosts whose clocks disagree still agree on who is late.
 * Columns are `timestamp(3)` holding UTC, as Prisma writes them.
 */

const NOW = `(now() AT TIME ZONE 'UTC')`;

/** Keeps the log of runs this long (the Settings page shows the latest of each job). */
export const JOB_RUN_RETENTION_DAYS = 14;

export async function registerWorker(prisma: PrismaClient, worker: { id: string; host: string; pid: number }): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO "JobWorker" (id, host, pid, "startedAt", "heartbeatAt") VALUES ($1, $2, $3, ${NOW}, ${NOW})
     ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = ${NOW}, "stoppedAt" = NULL`,
    worker.id,
    worker.host,
    worker.pid,
  );
}

export async function heartbeat(prisma: PrismaClient, workerId: string): Promise<void> {
  await prisma.$executeRawUnsafe(`UPDATE "JobWorker" SET "heartbeatAt" = ${NOW} WHERE id = $1`, workerId);
}

export async function markWorkerStopped(prisma: PrismaClient, workerId: string): Promise<void> {
  await prisma.$executeRawUnsafe(`UPDATE "JobWorker" SET "stoppedAt" = ${NOW} WHERE id = $1`, workerId);
}

export async function startRun(prisma: PrismaClient, run: { job: string; queueJobId: string; slot: Date | null; workerId: string }): Promise<bigint> {
  const rows = await prisma.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO "JobRun" (job, "queueJobId", slot, "workerId", "startedAt") VALUES ($1, $2, $3::timestamp, $4, ${NOW}) RETURNING id`,
    run.job,
    run.queueJobId,
    run.slot ? run.slot.toISOString() : null,
    run.workerId,
  );
  return rows[0]!.id;
}

export async function finishRun(prisma: PrismaClient, id: bigint, outcome: { ok: boolean; summary?: string | null; error?: string | null }): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE "JobRun" SET "finishedAt" = ${NOW}, ok = $2, summary = $3, error = $4 WHERE id = $1 AND "finishedAt" IS NULL`,
    id,
    outcome.ok,
    outcome.summary ?? null,
    outcome.error ?? null,
  );
}

export interface OrphanedRun {
  id: bigint;
  job: string;
  queueJobId: string;
  workerId: string;
  startedAt: Date;
}

/**
 * Runs whose worker has stopped beating for `staleMs` (or stopped without finishing them), each
 * claimed by closing it here: of two workers that look at once, one gets each run.
 */
export async function claimOrphanedRuns(prisma: PrismaClient, staleMs: number): Promise<OrphanedRun[]> {
  return prisma.$queryRawUnsafe<OrphanedRun[]>(
    `UPDATE "JobRun" r
        SET "finishedAt" = ${NOW}, ok = false,
            error = 'worker ' || r."workerId" || ' stopped before the run ended; the queue runs it again'
      WHERE r."finishedAt" IS NULL
        AND NOT EXISTS (SELECT 1 FROM "JobWorker" w
                         WHERE w.id = r."workerId" AND w."stoppedAt" IS NULL
                           AND w."heartbeatAt" >= ${NOW} - make_interval(secs => $1))
      RETURNING r.id, r.job, r."queueJobId", r."workerId", r."startedAt"`,
    staleMs / 1000,
  );
}

export async function pruneJobRuns(prisma: PrismaClient): Promise<number> {
  const runs = await prisma.$executeRawUnsafe(
    `DELETE FROM "JobRun" WHERE "startedAt" < ${NOW} - make_interval(days => $1) AND "finishedAt" IS NOT NULL`,
    JOB_RUN_RETENTION_DAYS,
  );
  await prisma.$executeRawUnsafe(
    `DELETE FROM "JobWorker" WHERE "heartbeatAt" < ${NOW} - make_interval(days => $1)`,
    JOB_RUN_RETENTION_DAYS,
  );
  return runs;
}

export interface JobStatusRow {
  job: string;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastOk: boolean | null;
  lastSummary: string | null;
  lastError: string | null;
  lastWorker: string | null;
  lastOkAt: Date | null;
  failuresToday: number;
}

/** The latest run of each job, its last success and today's failures: what the Settings page shows. */
export async function readJobStatus(prisma: PrismaClient, jobs: readonly string[]): Promise<JobStatusRow[]> {
  const rows = await prisma.$queryRawUnsafe<JobStatusRow[]>(
    `SELECT j.job,
            l."startedAt" AS "lastStartedAt", l."finishedAt" AS "lastFinishedAt", l.ok AS "lastOk",
            l.summary AS "lastSummary", l.error AS "lastError", l."workerId" AS "lastWorker",
            (SELECT max("finishedAt") FROM "JobRun" WHERE job = j.job AND ok) AS "lastOkAt",
            (SELECT count(*)::int FROM "JobRun" WHERE job = j.job AND ok = false AND "startedAt" > ${NOW} - interval '1 day') AS "failuresToday"
       FROM unnest($1::text[]) AS j(job)
       LEFT JOIN LATERAL (SELECT * FROM "JobRun" WHERE job = j.job ORDER BY "startedAt" DESC LIMIT 1) l ON true`,
    [...jobs],
  );
  return rows;
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  startedAt: Date;
  heartbeatAt: Date;
  alive: boolean;
}

/** Workers seen in the last hour, with whether their heartbeat is current. */
export async function readWorkers(prisma: PrismaClient, staleMs: number): Promise<WorkerRow[]> {
  return prisma.$queryRawUnsafe<WorkerRow[]>(
    `SELECT id, host, pid, "startedAt", "heartbeatAt",
            ("stoppedAt" IS NULL AND "heartbeatAt" >= ${NOW} - make_interval(secs => $1)) AS alive
       FROM "JobWorker" WHERE "heartbeatAt" >= ${NOW} - interval '1 hour' AND "stoppedAt" IS NULL
      ORDER BY "startedAt"`,
    staleMs / 1000,
  );
}
