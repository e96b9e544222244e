import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { expect, test } from './fixtures';
import pg from 'pg';
import { signIn } from './helpers';
import { readStack } from './stack';

// Two app processes and two job workers on one database: the e2e stack's own app and worker (the
// worker npm start runs), plus a second `next start` and a standalone `npm run worker` started here.
// Every scheduled slot of every job must run exactly once, and both workers must take part.

const root = process.cwd();
const started: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function launch(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

test.afterAll(async () => {
  await Promise.all(started.map(stop));
});

interface SlotCount {
  job: string;
  slot: Date;
  runs: number;
  workers: string[];
}

test('[JOBS]: two app processes and two workers on one database run each scheduled slot of each job once', async ({ browser }) => {
  test.setTimeout(600_000);
  const stack = readStack();
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const { rows: nowRows } = await db.query<{ now: Date }>(`SELECT now() AT TIME ZONE 'UTC' AS now`);
    const since = nowRows[0]!.now;

    // A second app replica on the same database and session secret.
    const port = await freePort();
    const app = launch([path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
      ...stack.appEnv,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    });
    // A second job worker: the production command.
    const worker = launch(['--import', 'tsx', '--import', path.join(root, 'scripts/server-only.mjs'), path.join(root, 'scripts/worker.ts')], stack.appEnv);

    // The second app serves the same data: an ADMIN signs in there and sees the alert rules.
    const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
    const page = await context.newPage();
    await expect(async () => {
      expect((await page.request.get('/signin')).status()).toBe(200);
    }).toPass({ timeout: 180_000 });
    await signIn(page, 'ADMIN');
    await page.goto('/alerts/rules');
    await expect(page.getByRole('table', { name: 'Alert rules' })).toBeVisible();
    await context.close();

    await expect.poll(() => /\[worker\] (\S+) running/.exec(worker.output())?.[1], { timeout: 180_000 }).toBeTruthy();
    const secondWorker = /\[worker\] (\S+) running/.exec(worker.output())![1]!;

    // Wait (for events, not a set time) until both workers have run jobs and four slots of the 10 s job passed.
    const count = async () =>
      (
        await db.query<SlotCount>(
          `SELECT job, slot, count(*) FILTER (WHERE ok)::int AS runs, array_agg(DISTINCT "workerId") AS workers
             FROM "JobRun" WHERE slot IS NOT NULL AND "startedAt" >= $1 AND "finishedAt" IS NOT NULL
            GROUP BY job, slot`,
          [since],
        )
      ).rows;
    await expect
      .poll(
        async () => {
          const slots = await count();
          const workers = new Set(slots.flatMap((s) => s.workers));
          return workers.has(secondWorker) && workers.size >= 2 && slots.filter((s) => s.job === 'follow-revocations').length >= 4;
        },
        { timeout: 300_000, intervals: [1_000] },
      )
      .toBe(true);

    const slots = await count();
    // No slot ran twice, whoever ran it (a failed run retried counts once, when it succeeds).
    expect(slots.filter((s) => s.runs > 1)).toEqual([]);
    expect(slots.filter((s) => s.job === 'follow-revocations' && s.runs !== 1)).toEqual([]);
    // Only the two workers ran jobs; the app processes run none (they register no worker).
    const workers = new Set(slots.flatMap((s) => s.workers));
    expect(workers.size).toBe(2);
    const { rows: alive } = await db.query<{ id: string }>(`SELECT id FROM "JobWorker" WHERE "stoppedAt" IS NULL AND "heartbeatAt" > now() AT TIME ZONE 'UTC' - interval '1 minute'`);
    expect(alive.map((w) => w.id).sort()).toEqual([...workers].sort());
    expect(app.child.exitCode).toBeNull();
  } finally {
    await db.end();
  }
});
