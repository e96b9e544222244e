/**
 * Crashes for lib/alerts/deliver.test.ts, in a process of their own so they can be real:
 *   CHILD_MODE=evaluate-then-die  evaluates every rule (alerts and deliveries committed), then kills itself
 *                                 with SIGKILL before anything is delivered
 *   CHILD_MODE=deliver            delivers with a short lease (LEASE_MS), printing CLAIMED; the test kills it mid-send
 *   CHILD_MODE=deliver-loop       keeps delivering as a worker does (the benchmark kills it half way)
 */
import { createPrismaClient } from '@/lib/db/client';
import { deliverDueAlerts } from '../deliver';
import { evaluateAlertRules } from '../evaluate';

const prisma = createPrismaClient(process.env.DATABASE_URL!);
if (process.env.CHILD_MODE === 'evaluate-then-die') {
  const s = await evaluateAlertRules(prisma);
  console.log(`EVALUATED ${s.deliveries}`);
  process.kill(process.pid, 'SIGKILL');
} else if (process.env.CHILD_MODE === 'deliver-loop') {
  const workerId = process.env.WORKER_ID ?? 'loop';
  process.on('SIGTERM', () => void prisma.$disconnect().then(() => process.exit(0)));
  for (;;) {
    const s = await deliverDueAlerts(prisma, { workerId, leaseMs: Number(process.env.LEASE_MS ?? 10_000), batchSize: 200, concurrency: 16 });
    if (s.claimed === 0) await new Promise((r) => setTimeout(r, 200));
  }
} else {
  console.log('CLAIMING');
  await deliverDueAlerts(prisma, { workerId: 'doomed', leaseMs: Number(process.env.LEASE_MS ?? 2_000), timeoutMs: 600_000 });
  console.log('DELIVERED');
}
