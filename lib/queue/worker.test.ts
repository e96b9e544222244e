import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { parseJobIntervals, startJobWorker } from './worker';

// The real queue (pg-boss on this run's PostgreSQL or PGlite) and real worker processes: two workers
// side by side run each slot once and never overlap a job; a worker killed mid-job has its run taken
// over by another; a failing job is retried. Waits are for events (rows appearing), not for time.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcess[] = [];

function startChild(db: TestDatabase, mode: string, id: string): { child: ChildProcess; ready: Promise<void>; running: (job: string) => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', path.join(root, 'scripts/server-only.mjs'), path.join(root, 'lib/queue/testing/worker-child.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, CHILD_MODE: mode, CHILD_ID: id },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  // The child's stderr goes on to ours and is kept, so a child that dies says why in the failure itself.
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    err = (err + chunk.toString()).slice(-4000);
  });
  const waiters: { text: string; resolve(): void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  });
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.includes(text)) return resolve();
      waiters.push({ text, resolve });
      child.once('exit', (code, signal) =>
        reject(new Error(`worker ${id} exited (${code ?? signal}) before printing ${text}; its stderr ended:\n${err || '(nothing)'}`)),
      );
    });
  return { child, ready: waitFor('READY'), running: (job) => waitFor(`RUNNING ${job}`) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** Polls the database until `check` holds: the test's own timeout bounds it. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Run {
  job: string;
  queueJobId: string;
  slot: Date | null;
  workerId: string;
  startedAt: Date;
  finishedAt: Date | null;
  ok: boolean | null;
  error: string | null;
}

describe('job worker', () => {
  let db: TestDatabase;
  const runs = () => db.prisma.jobRun.findMany({ orderBy: { id: 'asc' } }) as Promise<Run[]>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stopChild));
  });
  afterAll(() => db?.stop());

  it('runs each slot of a job once across two worker processes, and never overlaps a job with itself', async () => {
    const a = startChild(db, 'count', 'worker-a');
    const b = startChild(db, 'count', 'worker-b');
    await Promise.all([a.ready, b.ready]);
    // Until both workers have run ticks and six slots have passed.
    await until(runs, (rs) => {
      const ticks = rs.filter((r) => r.job === 'tick' && r.ok);
      return new Set(ticks.map((r) => r.workerId)).size === 2 && ticks.length >= 6;
    });
    await Promise.all([stopChild(a.child), stopChild(b.child)]);
    const all = await runs();

    const ticks = all.filter((r) => r.job === 'tick' && r.ok);
    const perSlot = new Map<string, number>();
    for (const r of ticks) perSlot.set(r.slot!.toISOString(), (perSlot.get(r.slot!.toISOString()) ?? 0) + 1);
    expect([...perSlot.values()].every((n) => n === 1)).toBe(true);
    expect(perSlot.size).toBe(ticks.length);
    expect(new Set(ticks.map((r) => r.workerId))).toEqual(new Set(['worker-a', 'worker-b']));

    // "slow" takes 1.5 s per 1 s slot: its runs follow one another, slots that passed meanwhile collapse.
    const slow = all.filter((r) => r.job === 'slow' && r.finishedAt).sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
    expect(slow.length).toBeGreaterThan(1);
    for (let i = 1; i < slow.length; i++) expect(slow[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(slow[i - 1]!.finishedAt!.getTime());
    expect(all.filter((r) => r.ok === false).map((r) => `${r.job} on ${r.workerId}: ${r.error}`)).toEqual([]);
  });

  it('hands a run cut by a killed worker to another worker (heartbeat), which completes it', async () => {
    const a = startChild(db, 'hang', 'crashing');
    await a.ready;
    await a.running('hang');
    a.child.kill('SIGKILL');
    const b = startChild(db, 'finish', 'survivor');
    await b.ready;
    const all = await until(runs, (rs) => rs.some((r) => r.job === 'hang' && r.workerId === 'survivor' && r.ok));
    const hang = all.filter((r) => r.job === 'hang');
    const cut = hang.find((r) => r.workerId === 'crashing')!;
    const redone = hang.find((r) => r.workerId === 'survivor' && r.ok)!;
    expect(cut.ok).toBe(false);
    expect(cut.error).toMatch(/worker crashing stopped before the run ended/);
    // The same queued job, run again: not a second job for the slot.
    expect(redone.queueJobId).toBe(cut.queueJobId);
    expect(hang.filter((r) => r.ok)).toHaveLength(1);
  });

  it('starts several replicas at once on a fresh database: every one starts, each queue is made once', async () => {
    // Replicas racing to create the same queues once deadlocked in pg-boss's create_queue on a
    // PostgreSQL server ("deadlock detected", and the replica exited); the queue is now made once.
    const fresh = await createTestDatabase();
    const jobs = ['alpha', 'beta', 'gamma', 'delta'].map((name) => ({ name, everyMs: 12 * 3_600_000, firstRunMs: 12 * 3_600_000, run: async () => '' }));
    const started: Awaited<ReturnType<typeof startJobWorker>>[] = [];
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          startJobWorker({ databaseUrl: fresh.url, prisma: fresh.prisma, jobs, log: () => {}, workerId: `replica-${i}`, pollSeconds: 5 }).then((w) => {
            started.push(w);
            return w;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const queues = await fresh.prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pgboss.queue ORDER BY name`);
      expect(queues.map((q) => q.name)).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    } finally {
      await Promise.all(started.map((w) => w.stop()));
      await fresh.stop();
    }
  });

  it('retries a failing job with backoff under the same queued job, then succeeds', async () => {
    let calls = 0;
    const worker = await startJobWorker({
      databaseUrl: db.url,
      prisma: db.prisma,
      pollSeconds: 0.5,
      log: () => {},
      workerId: 'in-process',
      retryDelaySeconds: 1,
      jobs: [
        {
          name: 'flaky',
          everyMs: 12 * 3_600_000,
          firstRunMs: 0,
          run: async () => {
            calls++;
            if (calls < 3) throw new Error(`boom ${calls}`);
            return 'third time lucky';
          },
        },
      ],
    });
    try {
      const all = await until(runs, (rs) => rs.some((r) => r.job === 'flaky' && r.ok));
      const flaky = all.filter((r) => r.job === 'flaky');
      expect(flaky.map((r) => [r.ok, r.error])).toEqual([
        [false, 'boom 1'],
        [false, 'boom 2'],
        [true, null],
      ]);
      expect(new Set(flaky.map((r) => r.queueJobId)).size).toBe(1);
      // Backoff: pg-boss waits at least 1 s, then at least 2 s (each doubled, with up to as much again of jitter).
      const gap = (i: number) => flaky[i + 1]!.startedAt.getTime() - flaky[i]!.finishedAt!.getTime();
      expect(gap(0)).toBeGreaterThanOrEqual(1_000);
      expect(gap(1)).toBeGreaterThanOrEqual(2_000);
    } finally {
      await worker.stop();
    }
  });
});

describe('parseJobIntervals', () => {
  it('reads name=10s pairs and refuses what it cannot read', () => {
    expect(parseJobIntervals('evaluate-alerts=10s, deliver-alerts=500ms,x=2m,y=1h')).toEqual({
      'evaluate-alerts': 10_000,
      'deliver-alerts': 500,
      x: 120_000,
      y: 3_600_000,
    });
    expect(parseJobIntervals(undefined)).toEqual({});
    expect(() => parseJobIntervals('evaluate-alerts=often')).toThrow(/cannot read "evaluate-alerts=often"/);
  });
});
