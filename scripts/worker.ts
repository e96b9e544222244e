/**
 * `npm run worker`: a job worker for production, beside any number of app replicas and other workers on
 * one PostgreSQL (docs/deploy.md). Runs every job of lib/jobs.ts from the queue; each scheduled run
 * happens once across all workers. SIGTERM/SIGINT stop taking jobs and wait for running ones.
 *
 *   DATABASE_URL=postgresql://… NEXTAUTH_SECRET=… CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ZONE_ID=… npm run worker
 *
 * Needs what the app needs (DATABASE_URL, the Cloudflare variables, WORKER_EXPORT_URL/TOKEN to pull
 * readings), the same NEXTAUTH_SECRET or CERTFLEET_SECRETS_KEY (to open channel secrets), and
 * CERTFLEET_PUBLIC_URL (the app's address, for links in alert messages). The database must be migrated
 * (`npm run migrate`); the queue's own schema (`pgboss`) is installed by the first worker.
 */
import { createPrismaClient } from '@/lib/db/client';
import { parseJobIntervals, startJobWorker } from '@/lib/queue/worker';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('[worker] DATABASE_URL is not set: a worker needs the PostgreSQL server the app uses.');
  process.exit(2);
}

const prisma = createPrismaClient(databaseUrl);
const worker = await startJobWorker({ databaseUrl, prisma, everyMs: parseJobIntervals(process.env.CERTFLEET_JOB_EVERY) });
console.log(`[worker] ${worker.id} running the scheduled jobs (Ctrl-C to stop)`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('[worker] stopping: waiting for running jobs…');
  await worker.stop().catch((error: unknown) => console.error('[worker] while stopping:', error));
  await prisma.$disconnect();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
