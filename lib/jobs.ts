import type { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * certfleet's background work, run by the scheduler of `npm start` (scripts/lib/scheduler.ts) and
 * the e2e server. Each job is an exported domain function that is also reachable from a button in the
 * app, so "on a schedule and on demand" share one code path. A job returns a short summary or nothing.
 */
export interface ScheduledJob {
  name: string;
  everyMs: number;
  /** Delay before the first run after start (default 5 s). */
  firstRunMs?: number;
  run(prisma: PrismaClient): Promise<string | void>;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [];
