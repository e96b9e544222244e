/**
 * One process of the shared-budget test (lib/cloudflare/budget.test.ts): a backlog of Cloudflare calls
 * through the door, as a reconcile (background: pages of the list) or a bulk enrollment (bulk: issuing)
 * makes them. Reads CLOUDFLARE_* / CLOUDFLARE_API_RATE_LIMIT / DATABASE_URL like the app and the worker.
 *   LOAD_MODE=reconcile|bulk [LOAD_REQUESTS=2000] node --import tsx --import ./scripts/server-only.mjs lib/cloudflare/testing/budget-load.ts
 * With LOAD_REQUESTS (the bench) it makes that many calls. Without it (the test) the backlog never runs
 * dry: it keeps calling until its stdin closes (the test's "stop"), so the test acts while the load is
 * certainly running, however slow the machine. Prints one JSON line when its first call went through
 * ({"started":true}) and one at the end ({"done":true, ...}).
 */
import { cloudflare, pacedCloudflare } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { generateKeyAndCsr } from '@/lib/pki';

const mode = process.env.LOAD_MODE === 'bulk' ? 'bulk' : 'reconcile';
const total = process.env.LOAD_REQUESTS ? Number(process.env.LOAD_REQUESTS) : Infinity;
const concurrency = 4;

async function main() {
  let stopping = false;
  if (total === Infinity) {
    process.stdin.on('end', () => (stopping = true));
    process.stdin.resume();
  }

  const door = pacedCloudflare({ priority: mode === 'bulk' ? 'bulk' : 'background' });
  let requests = 0;
  let next = 0;
  let started = false;
  const failures: string[] = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; !stopping && i < total; i = next++) {
        try {
          if (mode === 'bulk') {
            const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: `load-${process.pid}-${i}` } });
            // The gateway's issue retries a connection reset (a keep-alive socket the server closed while the
            // budget held the request back); the issuance layer's own POST does not retry and heals instead.
            await cloudflare({ priority: 'bulk' }).issueClientCertificate({ csr: csrPem, validityDays: 30 });
          } else {
            await door.listPage(1 + (i % 3), { perPage: 5 });
          }
          requests++;
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
        if (!started) {
          started = true;
          console.log(JSON.stringify({ started: true }));
        }
      }
    }),
  );
  console.log(JSON.stringify({ done: true, mode, requests, failures, ms: Date.now() - t0, stats: door.budget.stats }));
  await db().$disconnect();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
