// Readings at fleet scale: how fast the chart queries are with ~13 M one-minute readings, on PostgreSQL and on
// PGlite, and how fast certfleet pulls readings from the Worker.
//
//   node --import tsx --import ./scripts/server-only.mjs bench/readings.ts [--devices 100] [--days 90]
//        [--pglite-devices 100] [--runs 30] [--pull 50000] [--skip-pglite] [--skip-postgres]
//
// The readings are generated inside the database with generate_series (INSERT … SELECT), never shipped from
// Node, so the load measures the database. Queries are the app's own (lib/readings/buckets.ts), run through pg
// exactly as Prisma's adapter sends them. PostgreSQL: DATABASE_URL's server (or postgresql://postgres@127.0.0.1:5432),
// in a database of its own, `certfleet_bench`, dropped and re-created each run. PGlite: an on-disk data dir in
// a temporary directory, served on a loopback socket as `npm start` serves it.

import { createHash } from 'node:crypto';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startWorker } from '@/emulator/worker-runner';
import { createPrismaClient } from '@/lib/db/client';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { migrateDeploy, quoteIdent, withDatabase } from '@/lib/db/migrate';
import { ANALYTIC_QUERY_SETTINGS, combinedBucketsSql, deviceBucketsSql, MAX_POINTS, type SqlRunner } from '@/lib/readings/buckets';
import { findReadingFlags } from '@/lib/readings/flags';
import { pullReadings } from '@/lib/readings/pull';
import { RANGE_PRESETS } from '@/lib/readings/ranges';

const BENCH_DATABASE = 'certfleet_bench';
const DEFAULT_SERVER = 'postgresql://postgres@127.0.0.1:5432/test';
/** The ranges the issue asks about, by their preset names. */
const RANGES = ['24h', '30d', '90d'] as const;
/** Devices averaged together by the fleet query (a demo group is about this size). */
const FLEET_SIZE = 10;

export interface ReadingsBenchOptions {
  /** Devices on PostgreSQL (default 100). */
  devices?: number;
  /** Days of one-minute readings (default 90). */
  days?: number;
  /** Devices on PGlite (default: as many as on PostgreSQL); lower it when PGlite cannot load the full scale. */
  pgliteDevices?: number;
  /** Timed runs per query and range (default 30), after 3 untimed. */
  runs?: number;
  /** Readings posted to the Worker for the pull measurement (default 50,000; 0 skips it). */
  pullReadings?: number;
  /** PostgreSQL server URL; default DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test. */
  serverUrl?: string;
  skipPglite?: boolean;
  skipPostgres?: boolean;
  log?: (line: string) => void;
}

export interface QueryTiming {
  range: (typeof RANGES)[number];
  query: 'device' | 'fleet' | 'flags';
  p50: number;
  p95: number;
  /** Points the query returned (the largest over the runs). */
  points: number;
  /** Rows aggregated per query (one device's or the fleet's readings in the range). */
  rows: number;
}

export interface EngineResult {
  engine: 'PostgreSQL' | 'PGlite';
  version: string;
  devices: number;
  days: number;
  readings: number;
  loadMs: number;
  /** Size of the Reading table with its indexes. */
  bytes: number;
  queries: QueryTiming[];
  /** The same queries with the server's default settings (PostgreSQL: JIT on), for comparison. */
  queriesServerDefault?: QueryTiming[];
  pull?: PullResult[];
  /** Why this engine ran at a smaller scale, if it did. */
  scaleNote?: string;
  /** Why its pull ran differently, if it did. */
  pullNote?: string;
}

export interface PullResult {
  readings: number;
  certificates: number;
  batchSize: number;
  /** Certificates pulled side by side. */
  concurrency: number;
  ms: number;
  perSecond: number;
  /** A pull right after, with nothing new: the scheduler's cost every ~15 s. */
  idleMs: number;
}

export interface ReadingsBenchReport {
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string };
  engines: EngineResult[];
  posted?: { readings: number; certificates: number; ms: number };
  startedAt: string;
  /** The 1-minute load average when the run started and when it ended: the machine is shared, so say how busy. */
  load?: { start: number; end: number };
}

interface Db {
  /** As the app runs chart queries: in a transaction, after ANALYTIC_QUERY_SETTINGS (JIT off). */
  run: SqlRunner;
  /** With the server's own settings (JIT on where the server has it). */
  runDefault: SqlRunner;
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  url: string;
  close(): Promise<void>;
}

async function connect(url: string): Promise<Db> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    run: async (text, values) => {
      await client.query('BEGIN');
      try {
        await client.query(ANALYTIC_QUERY_SETTINGS);
        return (await client.query(text, values)).rows;
      } finally {
        await client.query('COMMIT');
      }
    },
    runDefault: async (text, values) => (await client.query(text, values)).rows,
    query: (text, values) => client.query(text, values),
    close: () => client.end(),
  };
}

/** Bench devices, their certificates (so pulled readings link to them), and `days` of one-minute readings. */
async function load(db: Db, devices: number, days: number, end: Date, log: (line: string) => void): Promise<{ readings: number; loadMs: number }> {
  await db.query(
    `INSERT INTO "Device" (id, name, "group", "commonName", "reportIntervalSec", "minTemperature", "maxTemperature", "updatedAt")
     SELECT 'bench-' || lpad(i::text, 4, '0'), 'bench-' || lpad(i::text, 4, '0'), 'bench-group-' || (i / $2), 'bench-' || i, 60, 2, 30, now()
       FROM generate_series(0, $1 - 1) AS i`,
    [devices, FLEET_SIZE],
  );
  await db.query(
    `INSERT INTO "Certificate" (id, "cloudflareId", "deviceId", "serialNumber", ski, "fingerprintSha256", "commonName", "keyType", "keySize",
                                "issuedOn", "expiresOn", "validityDays", pem, csr, "updatedAt")
     SELECT 'bench-cert-' || d.id, 'bench-cf-' || d.id, d.id, upper(encode(sha256(convert_to('serial' || d.id, 'UTF8')), 'hex')),
            encode(sha256(convert_to('ski' || d.id, 'UTF8')), 'hex'), encode(sha256(convert_to(d.id, 'UTF8')), 'hex'),
            d.name, 'ecdsa', 256, $1::timestamptz - interval '400 days', $1::timestamptz + interval '400 days', 800, '', '', now()
       FROM "Device" d WHERE d.id LIKE 'bench-%'`,
    [end.toISOString()],
  );
  const started = performance.now();
  // One day of the whole fleet per INSERT, in time order: rows land on disk as a live fleet's would (each page
  // holds every device's readings of a minute or two), not one device after another, which would flatter the
  // per-device queries. A day per statement also shows progress and avoids one 13 M-row transaction.
  const minutesPerDay = 24 * 60;
  let readings = 0;
  for (let day = days - 1; day >= 0; day--) {
    // A daily swing, a slow weekly drift per device and noise; one reading a minute, the last one at `end`.
    const result = await db.query(
      `INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature", "receivedAt")
       SELECT d.id, encode(sha256(convert_to(d.id, 'UTF8')), 'hex'), t,
              round((15 + (substr(d.id, 7)::int % 7) + 4 * sin(extract(epoch FROM t) / 86400 * 2 * pi())
                     + 2 * sin(extract(epoch FROM t) / 604800 * 2 * pi() + substr(d.id, 7)::int) + (random() - 0.5))::numeric, 2)::float8,
              t + interval '1.5 seconds'
         FROM generate_series($1::timestamptz - make_interval(mins => ($2::int + 1) * $3::int) + interval '1 minute',
                              $1::timestamptz - make_interval(mins => $2::int * $3::int), interval '1 minute') AS t
        CROSS JOIN "Device" d
        WHERE d.id LIKE 'bench-%'
        ORDER BY t, d.id`,
      [end.toISOString(), day, minutesPerDay],
    );
    readings += result.rowCount ?? 0;
    if (day % 10 === 0) {
      const elapsed = performance.now() - started;
      log(`  ${readings.toLocaleString('en')} readings, ${Math.round(elapsed / 1000)} s (${Math.round(readings / (elapsed / 1000)).toLocaleString('en')}/s)`);
    }
  }
  await flagLastDevices(db, devices, end);
  await db.query('ANALYZE "Reading"');
  await db.query('ANALYZE "Device"');
  return { readings, loadMs: Math.round(performance.now() - started) };
}

/**
 * Gives the flags something to find, as a real fleet would: the last device's certificate revoked 10 days before
 * `end` (its readings since are "revoked"), the one before it moved to a third device (all its readings "shared"),
 * and that third device's own certificate unknown to certfleet (all its readings "unknown"). Certificate rows
 * only: the readings stay as loaded, and the flags join the certificates when they are read.
 */
async function flagLastDevices(db: Db, devices: number, end: Date): Promise<void> {
  if (devices < 3) return;
  const id = (i: number) => `bench-cert-bench-${String(i).padStart(4, '0')}`;
  const device = (i: number) => `bench-${String(i).padStart(4, '0')}`;
  await db.query(
    `UPDATE "Certificate" SET status = 'REVOKED', "revokedAt" = ($2::timestamptz AT TIME ZONE 'UTC') - interval '10 days',
            "revocationEffectiveAt" = ($2::timestamptz AT TIME ZONE 'UTC') - interval '10 days'
      WHERE id = $1`,
    [id(devices - 1), end.toISOString()],
  );
  await db.query(`UPDATE "Certificate" SET "deviceId" = $2 WHERE id = $1`, [id(devices - 2), device(devices - 3)]);
  await db.query(`UPDATE "Certificate" SET "fingerprintSha256" = 'not-' || "fingerprintSha256" WHERE id = $1`, [id(devices - 3)]);
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 10) / 10;
}

async function timeQueries(run: SqlRunner, devices: number, end: Date, runs: number, log: (line: string) => void): Promise<QueryTiming[]> {
  const timings: QueryTiming[] = [];
  const deviceId = (i: number) => `bench-${String(i % devices).padStart(4, '0')}`;
  for (const range of RANGES) {
    for (const query of ['device', 'fleet'] as const) {
      const ms: number[] = [];
      let points = 0;
      let rows = 0;
      for (let i = -3; i < runs; i++) {
        // A different device (or group) each run, so no run is served only from the previous one's cache.
        const first = (i + 3) * 7;
        const ids = query === 'device' ? [deviceId(first)] : Array.from({ length: Math.min(FLEET_SIZE, devices) }, (_, k) => deviceId(first + k));
        // "now" moves a little per run, as it does between page loads.
        const to = new Date(end.getTime() - (i + 3) * 17_000);
        const from = new Date(to.getTime() - RANGE_PRESETS[range].ms);
        const { text, values } = (query === 'device' ? deviceBucketsSql : combinedBucketsSql)({ deviceIds: ids, from, to });
        const started = performance.now();
        const result = await run(text, values);
        const elapsed = performance.now() - started;
        if (i < 0) continue;
        ms.push(elapsed);
        points = Math.max(points, result.length);
        rows = Math.max(rows, result.reduce((n, r) => n + Number(r.count), 0));
      }
      if (points > MAX_POINTS) throw new Error(`${query} ${range} returned ${points} points, over ${MAX_POINTS}`);
      ms.sort((a, b) => a - b);
      const timing = { range, query, p50: percentile(ms, 50), p95: percentile(ms, 95), points, rows };
      log(`  ${query} ${range}: p50 ${timing.p50} ms, p95 ${timing.p95} ms, ${points} points from ${rows.toLocaleString('en')} rows`);
      timings.push(timing);
    }
    // The fleet view's "readings that should not exist" (three flagged certificates, flagLastDevices): fewer runs.
    const ms: number[] = [];
    const flagRuns = Math.max(3, Math.ceil(runs / 6));
    for (let i = -1; i < flagRuns; i++) {
      const to = new Date(end.getTime() - (i + 1) * 17_000);
      const started = performance.now();
      await findReadingFlags(run, { from: new Date(to.getTime() - RANGE_PRESETS[range].ms), to });
      if (i >= 0) ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    const rows = Math.round((RANGE_PRESETS[range].ms / 60_000) * devices);
    const timing = { range, query: 'flags' as const, p50: percentile(ms, 50), p95: percentile(ms, 95), points: 0, rows };
    log(`  flags ${range}: p50 ${timing.p50} ms, p95 ${timing.p95} ms over ~${rows.toLocaleString('en')} rows`);
    timings.push(timing);
  }
  return timings;
}

async function tableBytes(db: Db): Promise<number> {
  const { rows } = await db.query(`SELECT pg_total_relation_size('"Reading"')::float8 AS bytes`);
  return Number(rows[0].bytes);
}

/** Posts `total` readings from `certificates` bench certificates (bench-0000…) into the Worker. */
async function postToWorker(
  worker: Awaited<ReturnType<typeof startWorker>>,
  fingerprints: string[],
  total: number,
  log: (line: string) => void,
): Promise<{ readings: number; certificates: number; ms: number }> {
  const perCertificate = Math.ceil(total / fingerprints.length);
  const started = performance.now();
  let posted = 0;
  // In the past (the Worker refuses times more than a day ahead), away from the loaded readings.
  const base = Date.UTC(2020, 0, 1);
  // Two posts in flight per certificate (its Durable Object takes them one at a time anyway); more than ~100
  // requests in flight at once and workerd starts resetting connections.
  const lanes = 2;
  await Promise.all(
    fingerprints.flatMap((fingerprint, c) => Array.from({ length: lanes }, (_, lane) => ({ fingerprint, c, lane }))).map(async ({ fingerprint, c, lane }) => {
      const cf = { tlsClientAuth: { certPresented: '1', certVerified: 'SUCCESS', certRevoked: '0', certFingerprintSHA256: fingerprint, certSerial: `BE${c}`, certSKI: '' } };
      for (let n = lane; n < perCertificate; n += lanes) {
        const body = JSON.stringify({ temperature: 20 + (n % 100) / 10, time: new Date(base + n * 60_000).toISOString() });
        for (let attempt = 1; ; attempt++) {
          try {
            const res = await worker.dispatchFetch('https://bench.test/temps', { method: 'POST', body, cf });
            await res.arrayBuffer();
            if (res.status !== 201) throw new Error(`the Worker answered ${res.status}`);
            break;
          } catch (error) {
            // A reset connection under load: try again (the pull counts what was stored, not what was sent).
            if (attempt >= 3) throw error;
            await new Promise((r) => setTimeout(r, 200 * attempt));
          }
        }
        if (++posted % 10_000 === 0) log(`  posted ${posted.toLocaleString('en')} readings`);
      }
    }),
  );
  return { readings: posted, certificates: fingerprints.length, ms: Math.round(performance.now() - started) };
}

async function timePull(url: string, worker: { url: string }, token: string, batchSize: number, concurrency: number): Promise<PullResult> {
  const prisma = createPrismaClient(url);
  try {
    // Start from nothing pulled, so every configuration pulls the same readings.
    await prisma.$executeRawUnsafe('DELETE FROM "Reading" WHERE "workerSeq" IS NOT NULL');
    await prisma.$executeRawUnsafe('DELETE FROM "PullCursor"');
    const summary = await pullReadings(prisma, { exportUrl: worker.url, exportToken: token, batchSize, concurrency });
    const idle = await pullReadings(prisma, { exportUrl: worker.url, exportToken: token, batchSize, concurrency });
    return {
      readings: summary.readings,
      certificates: summary.certificates,
      batchSize,
      concurrency,
      ms: summary.ms,
      perSecond: Math.round(summary.readings / (summary.ms / 1000)),
      idleMs: idle.ms,
    };
  } finally {
    await prisma.$disconnect();
  }
}

async function benchEngine(
  engine: 'PostgreSQL' | 'PGlite',
  url: string,
  opts: { devices: number; days: number; runs: number; end: Date; worker?: { url: string; token: string }; pullConcurrency?: number; scaleNote?: string; pullNote?: string },
  log: (line: string) => void,
): Promise<EngineResult> {
  log(`${engine}: migrating`);
  await migrateDeploy(url);
  const db = await connect(url);
  try {
    const version = String((await db.query('SHOW server_version')).rows[0].server_version);
    log(`${engine} ${version}: loading ${opts.devices} devices × ${opts.days} days of one-minute readings`);
    const { readings, loadMs } = await load(db, opts.devices, opts.days, opts.end, log);
    const bytes = await tableBytes(db);
    log(`${engine}: ${readings.toLocaleString('en')} readings in ${Math.round(loadMs / 1000)} s, ${(bytes / 2 ** 30).toFixed(2)} GiB with indexes; timing chart queries`);
    const queries = await timeQueries(db.run, opts.devices, opts.end, opts.runs, log);
    const result: EngineResult = { engine, version, devices: opts.devices, days: opts.days, readings, loadMs, bytes, queries, scaleNote: opts.scaleNote, pullNote: opts.pullNote };
    const jit = String((await db.query('SHOW jit')).rows[0].jit);
    if (engine === 'PostgreSQL' && jit === 'on') {
      log(`${engine}: the same queries with the server's defaults (jit = on)`);
      result.queriesServerDefault = await timeQueries(db.runDefault, opts.devices, opts.end, Math.max(5, Math.ceil(opts.runs / 3)), log);
    }
    if (opts.worker) {
      result.pull = [];
      for (const batchSize of [1000, 5000]) {
        const pull = await timePull(url, opts.worker, opts.worker.token, batchSize, opts.pullConcurrency ?? 4);
        log(`${engine}: pulled ${pull.readings.toLocaleString('en')} readings in batches of ${batchSize}: ${pull.perSecond.toLocaleString('en')}/s; idle pull ${pull.idleMs} ms`);
        result.pull.push(pull);
      }
    }
    return result;
  } finally {
    await db.close();
  }
}

/**
 * Loads ~13 M one-minute readings (100 devices × 90 days by default) into PostgreSQL and PGlite, times the chart
 * queries (p50/p95 over `runs`) for 24 h, 30 d and 90 d, and the pull from the Worker in workerd (readings per
 * second) into each. Used by `npm run bench` (bench/run.ts), which writes docs/benchmarks.md.
 */
export async function benchmarkReadings(opts: ReadingsBenchOptions = {}): Promise<ReadingsBenchReport> {
  const log = opts.log ?? ((line: string) => console.log(`[bench:readings] ${line}`));
  const devices = opts.devices ?? 100;
  const days = opts.days ?? 90;
  const runs = opts.runs ?? 30;
  const pullTotal = opts.pullReadings ?? 50_000;
  // A fixed, minute-aligned "now", so the ranges end where the data does.
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const report: ReadingsBenchReport = {
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    engines: [],
    startedAt: new Date().toISOString(),
  };
  const loadAtStart = loadavg()[0]!;
  log(`machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGb} GiB (${Math.round(freemem() / 2 ** 30)} free)`);

  const token = 'bench-readings-token';
  const worker = pullTotal > 0 ? await startWorker({ exportToken: token, output: 'ignore' }) : undefined;
  try {
    let workerInfo: { url: string; token: string } | undefined;
    if (worker) {
      const certificates = Math.min(devices, 40);
      // The fingerprints the loader gives the first devices' certificates, so pulled readings link to them.
      const fingerprints = Array.from({ length: certificates }, (_, i) => createHash('sha256').update(`bench-${String(i).padStart(4, '0')}`).digest('hex'));
      log(`Worker: posting ${pullTotal.toLocaleString('en')} readings from ${certificates} certificates`);
      report.posted = await postToWorker(worker, fingerprints, pullTotal, log);
      log(`Worker: ${report.posted.readings.toLocaleString('en')} posted in ${Math.round(report.posted.ms / 1000)} s`);
      workerInfo = { url: worker.url, token };
    }

    if (!opts.skipPostgres) {
      const server = opts.serverUrl ?? process.env.DATABASE_URL ?? DEFAULT_SERVER;
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(BENCH_DATABASE)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${quoteIdent(BENCH_DATABASE)}`);
      } finally {
        await admin.end();
      }
      report.engines.push(await benchEngine('PostgreSQL', withDatabase(server, BENCH_DATABASE), { devices, days, runs, end, worker: workerInfo }, log));
    }

    if (!opts.skipPglite) {
      const pgliteDevices = opts.pgliteDevices ?? devices;
      const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-bench-pglite-'));
      const embedded = await startEmbeddedPostgres({ dataDir: dir });
      try {
        // PGlite runs one exchange at a time behind its socket (lib/db/pglite-queue.ts), so pulling several
        // certificates side by side only queues them: one at a time measures the same work.
        report.engines.push(
          await benchEngine(
            'PGlite',
            embedded.url,
            {
              devices: pgliteDevices,
              days,
              runs,
              end,
              worker: workerInfo,
              pullConcurrency: 1,
              scaleNote: pgliteDevices < devices ? `${pgliteDevices} devices instead of ${devices}` : undefined,
              pullNote:
                'one certificate at a time: PGlite serves one exchange at a time behind its socket (lib/db/pglite-queue.ts), so more at once only queue',
            },
            log,
          ),
        );
      } finally {
        await embedded.stop();
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await worker?.stop();
  }
  report.load = { start: loadAtStart, end: loadavg()[0]! };
  return report;
}

const fmtMs = (ms: number) => (ms >= 100 ? Math.round(ms).toLocaleString('en') : ms.toFixed(1));
const fmtDuration = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);

/** The Markdown section for docs/benchmarks.md. */
export function formatReadingsBenchmark(r: ReadingsBenchReport): string {
  const m = r.machine;
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB RAM, ${m.os}, Node ${m.node}. Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC,`,
    `on a machine shared with other work (two cores${r.load ? `; 1-minute load average ${r.load.start.toFixed(1)} at the start, ${r.load.end.toFixed(1)} at the end` : ''}),`,
    'so treat the figures as an order of magnitude.',
    '',
    '| engine | devices × days | readings | load (generate_series) | table + indexes |',
    '|---|---|---|---|---|',
    ...r.engines.map(
      (e) =>
        `| ${e.engine} ${e.version} | ${e.devices} × ${e.days}${e.scaleNote ? ' ¹' : ''} | ${e.readings.toLocaleString('en')} | ${fmtDuration(e.loadMs)} (${Math.round(e.readings / (e.loadMs / 1000)).toLocaleString('en')}/s) | ${(e.bytes / 2 ** 30).toFixed(2)} GiB |`,
    ),
    '',
    'Chart queries as the app runs them (lib/readings/buckets.ts, ≤ 1,000 buckets each; one transaction with JIT off),',
    'milliseconds over the runs, a different device (or group) each run; "device" is one device\'s',
    `chart, "fleet" the average of ${FLEET_SIZE} devices, "flags" the fleet view's scan for readings that should not exist`,
    '(lib/readings/flags.ts) over every device\'s readings in the range. Charts whose buckets are an hour or wider (30 d, 90 d)',
    'read the hourly rollup `ReadingHour` (kept by triggers as readings arrive; the load above maintained it) for whole hours',
    'and raw readings only for the two cut hours: "readings aggregated" counts the readings a chart covers, not the rows it reads',
    '(about 24 per day per device from the rollup). "flags" reads rollups too (`ReadingSource`, `ReadingFlagDay`, `ReadingFlagHour`,',
    'kept by triggers as readings arrive): the certificates that can have a flag, then their whole days, the hours beside them',
    'and the raw readings of the two cut hours; the load flags three devices\'',
    'certificates (one revoked 10 days before the end, one moved to another device, one unknown), and "readings aggregated"',
    'for flags is every reading of the range, which the flags used to scan:',
    '',
    '| engine | query | range | p50 ms | p95 ms | points | readings aggregated |',
    '|---|---|---|---|---|---|---|',
    ...r.engines.flatMap((e) =>
      e.queries.map((q) => `| ${e.engine} | ${q.query} | ${q.range} | ${fmtMs(q.p50)} | ${fmtMs(q.p95)} | ${q.query === 'flags' ? '—' : q.points} | ${q.query === 'flags' ? '~' : ''}${q.rows.toLocaleString('en')} |`),
    ),
  ];
  for (const e of r.engines.filter((x) => x.queriesServerDefault?.length)) {
    const app = new Map(e.queries.map((q) => [`${q.query} ${q.range}`, q]));
    lines.push(
      '',
      `The same queries on ${e.engine} with the server's default settings (JIT on), fewer runs. The app runs them with`,
      '`SET LOCAL jit = off` (lib/readings/buckets.ts `ANALYTIC_QUERY_SETTINGS`, which says why):',
      '',
      '| query | range | p50 ms, JIT on | p50 ms, as the app runs it |',
      '|---|---|---|---|',
      ...e.queriesServerDefault!.map((q) => `| ${q.query} | ${q.range} | ${fmtMs(q.p50)} | ${fmtMs(app.get(`${q.query} ${q.range}`)?.p50 ?? NaN)} |`),
    );
  }
  const pulls = r.engines.filter((e) => e.pull?.length);
  if (r.posted && pulls.length) {
    lines.push(
      '',
      `Pull from the Worker in workerd (miniflare, loopback HTTP) into the loaded database: ${r.posted.readings.toLocaleString('en')} readings from`,
      `${r.posted.certificates} certificates, each batch one transaction (INSERT … ON CONFLICT DO NOTHING + cursor). Posting them took`,
      `${fmtDuration(r.posted.ms)} (${Math.round(r.posted.readings / (r.posted.ms / 1000)).toLocaleString('en')}/s, 2 in flight per certificate).`,
      '',
      '| into | batch size | certificates at once | readings | time | readings / s | idle pull (nothing new) |',
      '|---|---|---|---|---|---|---|',
      ...pulls.flatMap((e) =>
        e.pull!.map(
          (p) =>
            `| ${e.engine}${e.pullNote ? ' ²' : ''} | ${p.batchSize.toLocaleString('en')} | ${p.concurrency} | ${p.readings.toLocaleString('en')} | ${fmtDuration(p.ms)} | ${p.perSecond.toLocaleString('en')} | ${p.idleMs} ms |`,
        ),
      ),
    );
  }
  for (const e of r.engines.filter((x) => x.scaleNote)) lines.push('', `¹ ${e.engine}: ${e.scaleNote}.`);
  for (const e of r.engines.filter((x) => x.pullNote && x.pull?.length)) lines.push('', `² ${e.engine}: ${e.pullNote}.`);
  return lines.join('\n');
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const num = (name: string) => (flag(name) === undefined ? undefined : Number(flag(name)));
  benchmarkReadings({
    devices: num('devices'),
    days: num('days'),
    pgliteDevices: num('pglite-devices'),
    runs: num('runs'),
    pullReadings: num('pull'),
    skipPglite: process.argv.includes('--skip-pglite'),
    skipPostgres: process.argv.includes('--skip-postgres'),
  })
    .then((report) => console.log(`\n${formatReadingsBenchmark(report)}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
