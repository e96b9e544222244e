import type { PrismaClient } from '@/lib/generated/prisma/client';
import { SCHEDULED_JOBS, type ScheduledJob } from '@/lib/jobs';

export interface Scheduler {
  /** Runs one job now (tests and the e2e server use it to avoid waiting for the clock). */
  runNow(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs certfleet's background jobs (lib/jobs.ts) on their intervals in the `npm start` process.
 * A job never overlaps itself, a failure is logged and retried at the next tick, and stop() waits
 * for running jobs so Ctrl-C never cuts a pull or a reconcile between two writes.
 */
export function startScheduler(
  prisma: PrismaClient,
  opts: { env: Record<string, string>; log?: (line: string) => void; jobs?: readonly ScheduledJob[] },
): Scheduler {
  // lib/cloudflare and the jobs read their targets from the environment, as the app process does.
  Object.assign(process.env, opts.env);
  const log = opts.log ?? ((line: string) => console.log(line));
  const jobs = opts.jobs ?? SCHEDULED_JOBS;
  const running = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const run = (job: ScheduledJob): Promise<void> => {
    const current = running.get(job.name);
    if (current) return current;
    const started = Date.now();
    const promise = job
      .run(prisma)
      .then((summary) => {
        if (summary) log(`[jobs] ${job.name}: ${summary} (${Date.now() - started} ms)`);
      })
      .catch((error: unknown) => log(`[jobs] ${job.name} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => running.delete(job.name));
    running.set(job.name, promise);
    return promise;
  };

  for (const job of jobs) {
    timers.push(setTimeout(() => !stopped && void run(job), job.firstRunMs ?? 5_000));
    timers.push(setInterval(() => !stopped && void run(job), job.everyMs));
  }

  return {
    runNow: async (name) => {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no job named ${name}`);
      await run(job);
    },
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(running.values());
    },
  };
}
