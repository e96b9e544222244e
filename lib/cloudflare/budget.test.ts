import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator/index';
import { generateKeyAndCsr } from '@/lib/pki';
import { cloudflare, rateBudgetFor } from './index';

// The proof of the shared budget: two other processes (a reconcile-like and a bulk-like backlog) and
// this one (a person's revokes) call the local Cloudflare with the same token, each through the door,
// sharing one budget through the database. The emulator enforces the limit as Cloudflare does (the
// request over it locks the token out) and counts what it saw. The limit is Cloudflare's rule scaled
// down to 400 requests per 40 s (CLOUDFLARE_API_RATE_LIMIT=400/40 for every process), so the backlog
// presses on it within seconds instead of minutes. At that size the bucket holds 12 tokens; bulk leaves
// 3 of them and background 6 for people (at Cloudflare's size: 36; 9 and 18), so the person's three
// revokes in a row each find a token on their first ask.
//
// Nothing here waits for the clock: the backlogs run until the test stops them, and the test acts on
// what the emulator reports (the load has filled a window past half the limit), not after a delay.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LIMIT = { limit: 400, windowMs: 40_000 };

let lc: LocalCloudflare;
let dataDir: string;
const saved: Record<string, string | undefined> = {};
const children: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-budget-'));
  lc = await startLocalCloudflare({ dataDir, apiPort: 0, revocationDelayMs: 60_000, rateLimit: { ...LIMIT, lockoutMs: 300_000 } });
  const env = { CLOUDFLARE_API_TOKEN: lc.apiToken, CLOUDFLARE_ZONE_ID: lc.zoneId, CLOUDFLARE_BASE_URL: lc.apiBaseUrl, CLOUDFLARE_API_RATE_LIMIT: `${LIMIT.limit}/${LIMIT.windowMs / 1000}` };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await lc?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface ChildReport {
  done: true;
  mode: string;
  requests: number;
  failures: string[];
  stats: { granted: number; rateLimited: number; byPriority: Record<string, { granted: number; denied: number }> };
}

/**
 * Starts a backlog process that calls Cloudflare until stopped; `started` resolves on its first call,
 * `stop()` closes its stdin and resolves with its report.
 */
function backlog(mode: 'reconcile' | 'bulk') {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/server-only.mjs', 'lib/cloudflare/testing/budget-load.ts'], {
    cwd: root,
    // DATABASE_URL: the run's test database, which this process's budget uses too.
    env: { ...process.env, LOAD_MODE: mode },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let out = '';
  let onStarted: () => void;
  let onFailed: (e: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    onFailed = reject;
  });
  let finished = false;
  const done = new Promise<ChildReport>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n').slice(0, -1)) {
        const msg = JSON.parse(line) as { started?: boolean; done?: boolean };
        if (msg.started) onStarted();
        if (msg.done) {
          finished = true;
          resolve(msg as ChildReport);
        }
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code, signal) => {
      if (finished) return;
      const error = new Error(`${mode} backlog exited (${code ?? signal}) before reporting: ${stderr}`);
      onFailed(error);
      reject(error);
    });
  });
  // A test that failed earlier leaves this unawaited; its rejection is reported through `started`/`stop`.
  done.catch(() => undefined);
  return {
    started,
    isRunning: () => !finished && child.exitCode === null,
    stop: () => {
      child.stdin!.end();
      return done;
    },
  };
}

interface EmulatorStats {
  requests: number;
  rateLimit: { maxInWindow: number; rateLimited: number; lockouts: number };
}

/** What the local Cloudflare saw, asked over HTTP as another process would. */
async function emulatorStats(): Promise<EmulatorStats> {
  const res = await fetch(`${lc.origin}/emulator/stats`);
  return ((await res.json()) as { result: EmulatorStats }).result;
}

/** Resolves when the emulator reports `predicate` true (asked again after each answer, 200 ms apart). */
async function whenEmulator(predicate: (s: EmulatorStats) => boolean): Promise<EmulatorStats> {
  for (;;) {
    const stats = await emulatorStats();
    if (predicate(stats)) return stats;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('one rate budget shared by every process using the token', () => {
  it('two processes and a person never exceed the limit, nobody is locked out, and the person never queues behind the backlog', async () => {
    // Certificates the person will revoke (made before the load starts).
    const targets = [];
    for (let i = 0; i < 3; i++) {
      const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: `revoke-me-${i}` } });
      targets.push(await cloudflare().issueClientCertificate({ csr: csrPem, validityDays: 30 }));
    }

    const reconcile = backlog('reconcile');
    const bulk = backlog('bulk');
    await Promise.all([reconcile.started, bulk.started]);
    // The load presses on the limit: more than half of it inside one window already.
    await whenEmulator((s) => s.rateLimit.maxInWindow > LIMIT.limit / 2);

    // A person revokes while both backlogs run. Each revoke finds a token on its first ask: the
    // backlogs leave their reserve in the bucket, so the person never waits behind them.
    const budget = rateBudgetFor({ apiToken: lc.apiToken, zoneId: lc.zoneId, baseUrl: lc.apiBaseUrl });
    const deniedBefore = budget.stats.byPriority.interactive.denied;
    const waits: number[] = [];
    for (const target of targets) {
      const t0 = Date.now();
      const revoked = await cloudflare().revokeClientCertificate(target.id);
      waits.push(Date.now() - t0);
      expect(revoked.status).toBe('pending_revocation');
    }
    expect(reconcile.isRunning() && bulk.isRunning()).toBe(true);
    expect(budget.stats.byPriority.interactive.denied - deniedBefore).toBe(0);

    const [r, b] = await Promise.all([reconcile.stop(), bulk.stop()]);
    expect(r.failures).toEqual([]);
    expect(b.failures).toEqual([]);
    expect(r.stats.byPriority.background.granted).toBeGreaterThan(0);
    expect(b.stats.byPriority.bulk.granted).toBeGreaterThan(0);
    // The backlogs did wait: the budget, not luck, held them under the limit.
    expect(r.stats.byPriority.background.denied + b.stats.byPriority.bulk.denied).toBeGreaterThan(0);

    const stats = await emulatorStats();
    expect(stats.rateLimit).toMatchObject({ rateLimited: 0, lockouts: 0 });
    expect(stats.rateLimit.maxInWindow).toBeLessThanOrEqual(LIMIT.limit);
    expect(stats.requests).toBeGreaterThanOrEqual(3 + 3 + r.requests + b.requests);
    expect(lc.store.listClientCertificates('all').length).toBe(3 + b.requests);
    expect(budget.stats.rateLimited).toBe(0);
    console.log(
      `[budget test] revoke waits ${waits.join(', ')} ms; backlogs ${r.requests} + ${b.requests} requests; emulator saw ${stats.requests}, at most ${stats.rateLimit.maxInWindow} in ${LIMIT.windowMs / 1000} s`,
    );
  });
});
