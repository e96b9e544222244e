/**
 * One EST job worker in a process of its own, for the est-renewal benchmark (bench/est-renewal.ts): runs
 * `syncEst()` back to back, as the est-sync job does while its runs find work, until SIGTERM. The bench kills
 * the first one with SIGKILL half way and starts a second, as the queue re-runs a job cut by a dead worker.
 * Reads DATABASE_URL, CLOUDFLARE_* (the local Cloudflare, its rate limit), WORKER_EXPORT_URL and WORKER_EXPORT_TOKEN
 * like `npm run worker`. Prints one JSON line per run that found work.
 *
 * It also runs the heal job on its schedule (lib/jobs.ts: once a minute, with its production settings), as the
 * real job worker does beside est-sync: a request whose issuance the kill cut before Cloudflare's answer was noted
 * is settled by the heal, then handed back by the next run, so the bench counts it as answered, not lost.
 */
import { healPendingIssuances } from '@/lib/data/issuance/heal';
import { createPrismaClient } from '@/lib/db/client';
import { syncEst } from '../sync';

const HEAL_EVERY_MS = 60_000;

const prisma = createPrismaClient(process.env.DATABASE_URL!);
const exportUrl = process.env.WORKER_EXPORT_URL!;
const exportToken = process.env.WORKER_EXPORT_TOKEN!;
process.on('SIGTERM', () => void prisma.$disconnect().then(() => process.exit(0)));

let nextHeal = Date.now() + HEAL_EVERY_MS;
for (;;) {
  if (Date.now() >= nextHeal) {
    const h = await healPendingIssuances(prisma);
    if (h.checked) console.log(JSON.stringify({ heal: h.summary }));
    nextHeal = Date.now() + HEAL_EVERY_MS;
  }
  const s = await syncEst(prisma, { exportUrl, exportToken, limit: 500 });
  if (s.seen) console.log(JSON.stringify({ seen: s.seen, issued: s.issued, rejected: s.rejected, deferred: s.deferred, errors: s.errors.slice(0, 3) }));
  // Nothing pending: the job's next slot (10 s in production; shorter here so the idle gap does not count).
  else await new Promise((r) => setTimeout(r, 200));
}
