// `npm run bench -- --only cloudflare`: the shared Cloudflare rate budget under a reconcile-sized backlog.
//
// A separate process (lib/cloudflare/testing/budget-load.ts, as `npm run worker` would be) lists pages of the
// local Cloudflare's client certificates at background priority, as a reconcile of 100,000 certificates does
// (2,000 pages of 50), while this process revokes a certificate every few seconds at interactive priority (a
// person). Both share one budget through the database. The emulator enforces the limit as Cloudflare does
// (the request over it locks the token out) and counts the most requests it saw in one window.
//
//   --pages 2000          requests of the backlog (default 2,000: 100,000 certificates)
//   --rate-limit 1200/300 the policy (default Cloudflare's; e.g. 1200/60 for a 5× shorter run)

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCloudflare } from '@/emulator/index';
import { budgetShape, cloudflare, estimatePacedSeconds, readRatePolicy } from '@/lib/cloudflare';
import { generateKeyAndCsr } from '@/lib/pki';
import { createTestDatabase } from '@/lib/testing/test-db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface CloudflareBenchResult {
  policy: { limit: number; windowMs: number };
  pages: number;
  seconds: number;
  minimumSeconds: number;
  /** Every request Cloudflare saw while the backlog ran: its pages and the person's revokes. */
  calls: number;
  estimateSeconds: number;
  maxInWindow: number;
  rateLimited: number;
  revokeWaitsMs: number[];
  database: string;
}

export async function benchmarkCloudflare(opts: { pages?: number; rateLimit?: string } = {}): Promise<CloudflareBenchResult> {
  const pages = opts.pages ?? 2000;
  const policy = readRatePolicy({ CLOUDFLARE_API_RATE_LIMIT: opts.rateLimit ?? '1200/300' });
  const database = process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'PGlite';
  const dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-bench-cf-'));
  const db = await createTestDatabase();
  const lc = await startLocalCloudflare({ dataDir, apiPort: 0, revocationDelayMs: 600_000, rateLimit: { ...policy, lockoutMs: 300_000 } });
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    CLOUDFLARE_API_TOKEN: lc.apiToken,
    CLOUDFLARE_ZONE_ID: lc.zoneId,
    CLOUDFLARE_BASE_URL: lc.apiBaseUrl,
    CLOUDFLARE_API_RATE_LIMIT: `${policy.limit}/${policy.windowMs / 1000}`,
  };
  Object.assign(process.env, env);
  try {
    // Revoke targets, made in the emulator's store (no API calls: the budget starts full).
    const targets: string[] = [];
    for (let i = 0; i < 60; i++) {
      const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: `bench-revoke-${i}` } });
      targets.push((await lc.store.createClientCertificate({ csr: csrPem, validity_days: 30 })).id as string);
    }
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/server-only.mjs', 'lib/cloudflare/testing/budget-load.ts'], {
      cwd: root,
      env: { ...process.env, ...env, LOAD_MODE: 'reconcile', LOAD_REQUESTS: String(pages) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report: { ms: number; failures: string[] } | undefined;
    let started = false;
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        const msg = JSON.parse(line) as { started?: boolean; done?: boolean; ms: number; failures: string[] };
        if (msg.started) started = true;
        if (msg.done) report = msg;
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!started) await new Promise((r) => setTimeout(r, 50));
    const callsBefore = lc.stats().requests;
    // A person revokes every few seconds while the backlog runs.
    const waits: number[] = [];
    const every = Math.max(1_000, (estimatePacedSeconds(pages, policy) * 1000) / 40);
    while (!report && targets.length) {
      await Promise.race([new Promise((r) => setTimeout(r, every)), exited]);
      if (report) break;
      const t0 = Date.now();
      await cloudflare().revokeClientCertificate(targets.pop()!);
      waits.push(Date.now() - t0);
    }
    const code = await exited;
    if (code !== 0 || !report) throw new Error(`the backlog process exited with ${code}`);
    if (report.failures.length) throw new Error(`backlog failures: ${report.failures.slice(0, 3).join('; ')}`);
    const stats = lc.stats().rateLimit;
    // The backlog's first request went through before `callsBefore` was read.
    const calls = lc.stats().requests - callsBefore + 1;
    return {
      policy,
      pages,
      seconds: report.ms / 1000,
      minimumSeconds: (pages / policy.limit) * (policy.windowMs / 1000),
      calls,
      estimateSeconds: estimatePacedSeconds(pages, policy),
      maxInWindow: stats.maxInWindow,
      rateLimited: stats.rateLimited,
      revokeWaitsMs: waits,
      database,
    };
  } finally {
    await lc.stop();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function formatCloudflareBenchmark(r: CloudflareBenchResult): string {
  const shape = budgetShape(r.policy);
  const sorted = [...r.revokeWaitsMs].sort((a, b) => a - b);
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
  return [
    `Policy ${r.policy.limit.toLocaleString('en-US')} requests / ${r.policy.windowMs / 1000} s; bucket ${shape.capacity}, ${shape.ratePerSecond.toFixed(2)}/s, background keeps ${shape.reserve.background} for people. Budget in ${r.database}.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| backlog (background, another process) | ${r.pages.toLocaleString('en-US')} list requests (${(r.pages * 50).toLocaleString('en-US')} certificates) |`,
    `| its time | ${r.seconds.toFixed(1)} s |`,
    `| the limit's minimum (pages ÷ limit × window) | ${r.minimumSeconds.toFixed(1)} s |`,
    `| ratio | **${(r.seconds / r.minimumSeconds).toFixed(3)} ×** (the budget's estimate for the backlog alone ${(r.estimateSeconds / r.minimumSeconds).toFixed(3)} ×) |`,
    `| every request Cloudflare saw meanwhile (the pages and the person's revokes) | ${r.calls.toLocaleString('en-US')}: their minimum ${((r.calls / r.policy.limit) * (r.policy.windowMs / 1000)).toFixed(1)} s, ratio **${(r.seconds / ((r.calls / r.policy.limit) * (r.policy.windowMs / 1000))).toFixed(3)} ×** |`,
    `| most requests Cloudflare saw in one window | ${r.maxInWindow} of ${r.policy.limit} |`,
    `| 429 answers | ${r.rateLimited} |`,
    `| a person's revoke under that load (${sorted.length} revokes) | p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${sorted.at(-1) ?? 0} ms |`,
  ].join('\n');
}
