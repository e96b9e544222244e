/**
 * A job worker in a process of its own, for lib/queue/worker.test.ts: the real worker and queue with
 * test jobs, so tests can run several side by side and kill one mid-job.
 *   CHILD_MODE=count  "tick" every 1 s, each run taking 300 ms; "slow" every 1 s taking 1.5 s
 *   CHILD_MODE=hang   "hang" (requested by the test) never ends in this worker: kill -9 it
 *   CHILD_MODE=finish "hang" ends at once here
 * Prints READY, then "RUNNING <job>" as each run starts.
 */
import { createPrismaClient } from '@/lib/db/client';
import type { ScheduledJob } from '@/lib/jobs';
import { startJobWorker } from '@/lib/queue/worker';

const databaseUrl = process.env.DATABASE_URL!;
const mode = process.env.CHILD_MODE;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const announce = (job: string) => console.log(`RUNNING ${job}`);

const jobs: ScheduledJob[] =
  mode === 'count'
    ? [
        { name: 'tick', everyMs: 1_000, firstRunMs: 0, run: async () => { announce('tick'); await sleep(300); } },
        { name: 'slow', everyMs: 1_000, firstRunMs: 0, run: async () => { announce('slow'); await sleep(1_500); } },
      ]
    : [
        {
          name: 'hang',
          // Long enough that only the heartbeat, not pg-boss's expiry, can free a run cut by a crash.
          everyMs: 12 * 3_600_000,
          timeoutMs: 3_600_000,
          firstRunMs: 0,
          run: async () => {
            announce('hang');
            if (mode === 'hang') await new Promise(() => {});
            return 'finished';
          },
        },
      ];

const prisma = createPrismaClient(databaseUrl);
// A worker is judged gone after staleMs without a heartbeat. The kill test needs that soon (3 s); the
// counting test must not mistake a worker slowed by a busy machine (a heartbeat late by seconds) for a
// dead one, so there it is two minutes, as long as the test may wait.
const staleMs = mode === 'count' ? 120_000 : 3_000;
const worker = await startJobWorker({ databaseUrl, prisma, jobs, pollSeconds: 0.5, heartbeatMs: 500, staleMs, retryDelaySeconds: 1, log: (l) => console.log(l), workerId: process.env.CHILD_ID });
console.log('READY');
process.on('SIGTERM', () => void worker.stop().then(() => prisma.$disconnect()).then(() => process.exit(0)));
