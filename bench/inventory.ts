// The inventory screens at fleet scale (issue 12): the app's own read functions (lib/data/devices.ts,
// certificates.ts, expiry.ts, audit.ts) over 100,000 devices in 50 groups, 250,000 certificates and
// 1,000,000 audit events, on a PostgreSQL server and on PGlite, p50/p95 over the runs after a warm-up.
//
// The fleet is generated inside the database (INSERT … SELECT generate_series), through the same triggers
// every write goes through (the read model of migration fleet_read_model is filled by them, not by the bench).
// A seeded database is kept and reused by the next run when it holds the same sizes (`--fresh` re-creates it):
// PostgreSQL `certfleet_bench_inventory` on DATABASE_URL's server, PGlite a data dir under the OS temp dir.
//
//   npm run bench -- --only inventory [--inventory-devices 100000] [--runs 20] [--fresh] [--before] [--skip-pglite] [--skip-postgres]
//
// --before also times, on PostgreSQL, the plain statements the code ran before the read model (3 runs each),
// so before and after are compared on the same machine under the same load.

import { existsSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { SessionUser } from '@/lib/auth/errors';
import { createPrismaClient } from '@/lib/db/client';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { migrateDeploy, quoteIdent, withDatabase } from '@/lib/db/migrate';
import { type FleetSizes, generateFleet } from '@/lib/db/scale-fleet';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { colonHex } from '@/lib/pki/format';
import { parseAuditListSearch, parseCertificateListSearch, parseDeviceListSearch } from '@/lib/validation/inventory';

const DEFAULT_SERVER = 'postgresql://postgres@127.0.0.1:5432/test';
const admin: SessionUser = { id: 'bench', email: 'bench@certfleet.local', name: 'bench', role: 'ADMIN' };

export interface InventoryBenchOptions {
  devices?: number;
  certificatesPerDevice?: number;
  auditEvents?: number;
  runs?: number;
  fresh?: boolean;
  /** Also time the plain queries this replaced (PostgreSQL only, `beforeRuns` runs each). */
  before?: boolean;
  beforeRuns?: number;
  skipPglite?: boolean;
  skipPostgres?: boolean;
  serverUrl?: string;
  /** The PostgreSQL database to seed and read (default certfleet_bench_inventory). */
  database?: string;
  /** Only the reads whose name contains this, or one of these comma-separated (e.g. "planner", "search,Overview"); the section is then printed, not written. */
  cases?: string;
  log?: (line: string) => void;
}

export interface Timing {
  name: string;
  p50: number;
  p95: number;
  /** What one run returned, to show the query did its work (rows, total). */
  result: string;
  /** Target on PostgreSQL (ms, p95). */
  target: number;
}

export interface EngineRun {
  engine: string;
  version: string;
  loadMs: number | null;
  timings: Timing[];
  /** The plain queries of the code before the read model, by the name of the read they served. */
  before?: Record<string, { p50: number; p95: number; runs: number }>;
}

export interface InventoryBenchReport {
  machine: string;
  startedAt: string;
  devices: number;
  certificates: number;
  auditEvents: number;
  runs: number;
  /** 1-minute load average at the start and the end (the machine is shared). */
  load: [number, number];
  engines: EngineRun[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Seeds the fleet unless the database already holds it; returns the load time, or null when reused. */
async function seed(db: pg.Client, sizes: FleetSizes, log: (l: string) => void): Promise<number | null> {
  const { rows } = await db.query<{ d: string; c: string; a: string }>(
    `SELECT (SELECT count(*) FROM "Device") AS d, (SELECT count(*) FROM "Certificate") AS c, (SELECT count(*) FROM "AuditEvent") AS a`,
  );
  const have = rows[0]!;
  if (Number(have.d) === sizes.devices && Number(have.c) === sizes.certificates && Number(have.a) === sizes.auditEvents) {
    log('seeded database found: reusing it');
    return null;
  }
  if (Number(have.d) || Number(have.c) || Number(have.a)) throw new Error('the bench database holds another fleet: run with --fresh');
  const started = performance.now();
  await generateFleet(db, sizes, log);
  return performance.now() - started;
}

async function time(name: string, target: number, runs: number, fn: (run: number) => Promise<string>): Promise<Timing> {
  await fn(-1);
  await fn(-2);
  const ms: number[] = [];
  let result = '';
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    result = await fn(run);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { name, p50: percentile(ms, 50), p95: percentile(ms, 95), result, target };
}

const rowsAndTotal = (page: { rows: unknown[]; total: number; totalIsEstimate?: boolean; beyondEnd?: boolean }) =>
  `${page.rows.length} rows of ${page.totalIsEstimate ? '~' : ''}${page.total.toLocaleString('en')}${page.beyondEnd ? ', past the end' : ''}`;

async function measure(prisma: PrismaClient, sizes: { devices: number; certificates: number }, runs: number, log: (l: string) => void, cases?: string): Promise<Timing[]> {
  // The app's functions read `db()`: point it at this engine's client.
  (globalThis as unknown as { certfleetPrisma?: PrismaClient }).certfleetPrisma = prisma;
  const { findDevices } = await import('@/lib/data/devices');
  const { findCertificates } = await import('@/lib/data/certificates');
  const { countExpiryBands, getExpiryForecast } = await import('@/lib/data/expiry');
  const { findAuditEvents } = await import('@/lib/data/audit');
  const { getFleetOverview } = await import('@/lib/data/overview');
  const { countAtRisk, getRenewalPlan } = await import('@/lib/est/planner');
  const { fleetReadingsFor } = await import('@/lib/data/readings-fleet');
  const { presetRange } = await import('@/lib/readings/ranges');
  // A different certificate each run, so no run reads what the last one cached.
  const cert = async (run: number) => {
    const g = 1 + ((run + 3) * 7919) % sizes.devices;
    return prisma.certificate.findUniqueOrThrow({ where: { id: `c${g}` }, select: { serialNumber: true, ski: true, fingerprintSha256: true } });
  };
  const devices = (raw: Record<string, string>) => findDevices(admin, parseDeviceListSearch(raw)).then(rowsAndTotal);
  const timings: Timing[] = [];
  const add = async (name: string, target: number, fn: (run: number) => Promise<string>) => {
    if (cases && !cases.toLowerCase().split(',').some((c) => name.toLowerCase().includes(c.trim()))) return;
    const t = await time(name, target, runs, fn);
    log(`${name}: p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms (${t.result})`);
    timings.push(t);
  };
  await add('devices list, first page, default sort', 30, () => devices({}));
  await add('devices list sorted by expiry', 30, () => devices({ sort: 'expiresOn' }));
  await add('devices list sorted by expiry, latest first', 30, () => devices({ sort: 'expiresOn', dir: 'desc' }));
  await add('devices list sorted by last seen, latest first', 30, () => devices({ sort: 'lastSeenAt', dir: 'desc' }));
  await add('devices list, page 1,000 (20 a page)', 30, () => devices({ page: '1000' }));
  await add('devices list, page 1,000 sorted by expiry', 30, () => devices({ page: '1000', sort: 'expiresOn' }));
  await add('devices list, a page past the end', 30, () => devices({ page: '99999' }));
  await add('devices list, one group', 30, (run) => devices({ group: `group-${String((run + 50) % 50).padStart(2, '0')}` }));
  await add('devices list, expiring within 30 days', 30, () => devices({ band: '30' }));
  await add('device search by serial (colons, lower case)', 10, async (run) => devices({ q: colonHex((await cert(run)).serialNumber).toLowerCase() }));
  await add('device search by SKI (upper case)', 10, async (run) => devices({ q: (await cert(run)).ski.toUpperCase() }));
  await add('device search by fingerprint (spaced, upper case)', 10, async (run) => devices({ q: colonHex((await cert(run)).fingerprintSha256).replace(/:/g, ' ').toUpperCase() }));
  await add('device search by a serial fragment (8 digits)', 30, async (run) => devices({ q: (await cert(run)).serialNumber.slice(6, 14).toLowerCase() }));
  await add('device search by a name fragment', 30, (run) => devices({ q: `sensor-0${String(1000 + ((run + 3) * 37) % 9000)}` }));
  await add('certificates list, first page', 30, () => findCertificates(admin, parseCertificateListSearch({})).then(rowsAndTotal));
  await add('certificate search by fingerprint', 10, async (run) => findCertificates(admin, parseCertificateListSearch({ q: colonHex((await cert(run)).fingerprintSha256) })).then(rowsAndTotal));
  await add('Overview: expiry cards + 12-month forecast', 30, async () => {
    const [bands, forecast] = await Promise.all([countExpiryBands(admin), getExpiryForecast(admin)]);
    return `${bands.bands.length} bands (${bands.bands.reduce((n, b) => n + b.certificates, 0).toLocaleString('en')} live), ${forecast.length} weeks`;
  });
  await add('Overview: device counts by group and status', 30, async () => `${(await getFleetOverview(admin)).devices.total.toLocaleString('en')} devices`);
  // The renewal planner (lib/est/planner.ts): one pass over the live device certificates with their group's policy.
  await add('Overview: certificates at risk (renewal planner count)', 30, async () => `${(await countAtRisk(prisma)).toLocaleString('en')} at risk`);
  await add('renewal planner, whole fleet (12 weeks, load, at-risk page)', 100, async () => {
    const plan = await getRenewalPlan(prisma);
    return `${plan.certificates.toLocaleString('en')} certificates, ${plan.inWindow.toLocaleString('en')} in window, ${plan.weeks.reduce((n, w) => n + w.renewals, 0).toLocaleString('en')} entering in 12 weeks, ${plan.atRisk.total.toLocaleString('en')} at risk`;
  });
  await add('renewal planner, one group', 100, async (run) => {
    const plan = await getRenewalPlan(prisma, { group: `group-${String((run + 50) % 50).padStart(2, '0')}` });
    return `${plan.certificates.toLocaleString('en')} certificates, ${plan.atRisk.total.toLocaleString('en')} at risk`;
  });
  // The readings page (lib/data/readings-fleet.ts): health counts, the devices outside their limits, a page of the
  // device table and the drawn group's lines (the generated fleet has one reading per device, so the lines are short).
  // Held to the fleet chart's target (100 ms), which the view holds.
  const fleetView = (table: { page: number; health: 'late' | null; q: string }) => async (run: number) => {
    const view = await fleetReadingsFor(admin, { group: `group-${String((run + 50) % 50).padStart(2, '0')}`, deviceIds: [] }, presetRange('24h'), new Date(), { table });
    return `${view.devices.length} rows of ${view.devicesPage.total.toLocaleString('en')}, ${view.healthCounts.live.toLocaleString('en')} live, ${view.outOfLimitsTotal.toLocaleString('en')} outside limits, ${view.selection.deviceIds.length.toLocaleString('en')} drawn`;
  };
  await add('readings page: fleet view, first page of devices', 100, fleetView({ page: 1, health: null, q: '' }));
  await add('readings page: page 1,000 of devices', 100, fleetView({ page: 1000, health: null, q: '' }));
  await add('readings page: late devices only', 100, fleetView({ page: 1, health: 'late', q: '' }));
  await add('audit log, first page', 50, () => findAuditEvents(admin, parseAuditListSearch({})).then(rowsAndTotal));
  await add('audit filtered by actor', 50, (run) => findAuditEvents(admin, parseAuditListSearch({ actor: `user${(run + 40) % 40}@` })).then(rowsAndTotal));
  await add('audit filtered by one action', 50, () => findAuditEvents(admin, parseAuditListSearch({ action: 'certificate.revoke' })).then(rowsAndTotal));
  await add('audit filtered by a list of 3 actions', 50, () =>
    findAuditEvents(admin, { ...parseAuditListSearch({}), actions: ['certificate.revoke', 'certificate.renew', 'reconcile.drift'] }).then(rowsAndTotal),
  );
  return timings;
}

export async function benchmarkInventory(opts: InventoryBenchOptions = {}): Promise<InventoryBenchReport> {
  const log = opts.log ?? ((line: string) => console.log(`[inventory] ${line}`));
  const devices = opts.devices ?? 100_000;
  const sizes = { devices, certificates: Math.round(devices * (opts.certificatesPerDevice ?? 2.5)), auditEvents: opts.auditEvents ?? devices * 10 };
  const runs = opts.runs ?? 20;
  const report: InventoryBenchReport = {
    machine: `${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`,
    startedAt: new Date().toISOString(),
    ...sizes,
    runs,
    load: [loadavg()[0]!, 0],
    engines: [],
  };

  if (!opts.skipPostgres) {
    const server = opts.serverUrl ?? process.env.DATABASE_URL ?? DEFAULT_SERVER;
    const name = opts.database ?? 'certfleet_bench_inventory';
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    if (opts.fresh) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
    const url = withDatabase(server, name);
    await migrateDeploy(url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const prisma = createPrismaClient(url);
    try {
      const version = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
      const loadMs = await seed(db, sizes, log);
      const timings = await measure(prisma, sizes, runs, log, opts.cases);
      const before = opts.before ? await measureBefore(db, opts.beforeRuns ?? 3, log) : undefined;
      report.engines.push({ engine: 'PostgreSQL', version, loadMs, timings, before });
    } finally {
      await db.end();
      await prisma.$disconnect();
    }
  }

  if (!opts.skipPglite) {
    const dir = path.join(tmpdir(), `certfleet-bench-inventory-pglite-${devices}`);
    if (opts.fresh && existsSync(dir)) {
      const { rm } = await import('node:fs/promises');
      await rm(dir, { recursive: true, force: true });
    }
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    await migrateDeploy(embedded.url);
    const db = new pg.Client({ connectionString: embedded.url });
    await db.connect();
    const prisma = createPrismaClient(embedded.url);
    try {
      const version = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
      const loadMs = await seed(db, sizes, log);
      report.engines.push({ engine: 'PGlite', version, loadMs, timings: await measure(prisma, sizes, runs, log, opts.cases) });
    } finally {
      await db.end();
      await prisma.$disconnect();
      await embedded.stop();
    }
  }
  report.load[1] = loadavg()[0]!;
  return report;
}

const LATERAL_CURRENT = `LEFT JOIN LATERAL (
    SELECT c.id, c.status, c."serialNumber", c."expiresOn" FROM "Certificate" AS c WHERE c."deviceId" = d.id
     ORDER BY (c.status IN ('ACTIVE', 'PENDING_REACTIVATION')) DESC, c."issuedOn" DESC, c.id DESC LIMIT 1
  ) AS cur ON TRUE`;

/**
 * The statements the code before the read model ran for some of the reads (lib/data as of 1db0ee3: a LATERAL
 * join per device with COUNT(*) over it, an OR across tables for search, a pass over the live certificates for
 * the Overview, COUNT(*) per audit page), run side by side on the same database to compare on the same machine.
 */
const BEFORE_SQL: Record<string, string[]> = {
  'devices list, first page, default sort': [
    `SELECT d.id, cur.id FROM "Device" AS d ${LATERAL_CURRENT} WHERE NOT d."isCanary" ORDER BY d.name ASC NULLS LAST, d.id LIMIT 20`,
    `SELECT count(*)::int FROM "Device" AS d ${LATERAL_CURRENT} WHERE NOT d."isCanary"`,
  ],
  'devices list sorted by expiry': [
    `SELECT d.id, cur.id FROM "Device" AS d ${LATERAL_CURRENT} WHERE NOT d."isCanary" ORDER BY cur."expiresOn" ASC NULLS LAST, d.id LIMIT 20`,
    `SELECT count(*)::int FROM "Device" AS d ${LATERAL_CURRENT} WHERE NOT d."isCanary"`,
  ],
  'device search by fingerprint (spaced, upper case)': [
    `SELECT d.id, cur.id FROM "Device" AS d ${LATERAL_CURRENT} WHERE NOT d."isCanary" AND (d.name ILIKE '%' || encode(sha256('f777'::bytea), 'hex') || '%'
       OR d."commonName" ILIKE '%' || encode(sha256('f777'::bytea), 'hex') || '%'
       OR EXISTS (SELECT 1 FROM "Certificate" AS x WHERE x."deviceId" = d.id AND x."fingerprintSha256" = encode(sha256('f777'::bytea), 'hex')))
     ORDER BY d.name LIMIT 20`,
  ],
  'Overview: expiry cards + 12-month forecast': [
    `SELECT count(*) FILTER (WHERE c."expiresOn" < now()), count(*) FILTER (WHERE c."expiresOn" >= now() AND c."expiresOn" < now() + interval '8 days'),
            count(*) FILTER (WHERE c."expiresOn" >= now() + interval '8 days' AND c."expiresOn" < now() + interval '31 days'),
            count(*) FILTER (WHERE c."expiresOn" >= now() + interval '31 days')
       FROM "Certificate" AS c LEFT JOIN "Device" AS d ON d.id = c."deviceId" WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND (d.id IS NULL OR NOT d."isCanary")`,
    `SELECT date_trunc('week', c."expiresOn"), count(*) FROM "Certificate" AS c LEFT JOIN "Device" AS d ON d.id = c."deviceId"
      WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND (d.id IS NULL OR NOT d."isCanary") AND c."expiresOn" >= now() AND c."expiresOn" < now() + interval '12 months' GROUP BY 1`,
  ],
  'audit filtered by actor': [
    `SELECT * FROM "AuditEvent" WHERE "actorEmail" ILIKE '%user7@%' ORDER BY at DESC, id DESC LIMIT 50`,
    `SELECT count(*) FROM "AuditEvent" WHERE "actorEmail" ILIKE '%user7@%'`,
  ],
  'audit filtered by a list of 3 actions': [
    `SELECT * FROM "AuditEvent" WHERE action IN ('certificate.revoke', 'certificate.renew', 'reconcile.drift') ORDER BY at DESC, id DESC LIMIT 50`,
    `SELECT count(*) FROM "AuditEvent" WHERE action IN ('certificate.revoke', 'certificate.renew', 'reconcile.drift')`,
  ],
};

async function measureBefore(db: pg.Client, runs: number, log: (l: string) => void): Promise<Record<string, { p50: number; p95: number; runs: number }>> {
  const out: Record<string, { p50: number; p95: number; runs: number }> = {};
  for (const [name, statements] of Object.entries(BEFORE_SQL)) {
    const ms: number[] = [];
    for (let run = 0; run < runs + 1; run++) {
      const started = performance.now();
      for (const sql of statements) await db.query(sql);
      if (run > 0) ms.push(performance.now() - started); // the first is a warm-up
    }
    ms.sort((a, b) => a - b);
    out[name] = { p50: percentile(ms, 50), p95: percentile(ms, 95), runs };
    log(`before: ${name}: p50 ${Math.round(out[name].p50)} ms`);
  }
  return out;
}

/** The issue's "before" (lib/data as of 1db0ee3: a LATERAL join per device, COUNT(*) per page view), PostgreSQL 15, p50/p95 ms. */
const BEFORE: Record<string, string> = {
  'devices list, first page, default sort': '1,349 / 1,539',
  'devices list sorted by expiry': '2,180 / 2,382',
  'devices list, page 1,000 (20 a page)': '1,649 / 1,701',
  'device search by serial (colons, lower case)': '282–411 / 315–561',
  'device search by SKI (upper case)': '282–411 / 315–561',
  'device search by fingerprint (spaced, upper case)': '282–411 / 315–561',
  'device search by a serial fragment (8 digits)': '1,011 / 1,153',
  'certificate search by fingerprint': '1,304 / 1,359',
  'Overview: expiry cards + 12-month forecast': '494 / 519',
  'audit filtered by actor': '323 / 390',
  'audit filtered by a list of 3 actions': '2,662 / 3,660',
};

const fmt = (ms: number) => (ms >= 100 ? Math.round(ms).toLocaleString('en') : ms.toFixed(1));

export function formatInventoryBenchmark(r: InventoryBenchReport): string {
  const lines: string[] = [];
  lines.push(
    `Machine: ${r.machine}. Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, on a machine shared with other work ` +
      `(1-minute load average ${r.load[0].toFixed(0)} at the start, ${r.load[1].toFixed(0)} at the end, on ${cpus().length} cores), so treat the figures as an order of magnitude.`,
  );
  lines.push('');
  lines.push(`Fleet: ${r.devices.toLocaleString('en')} devices in 50 groups, ${r.certificates.toLocaleString('en')} certificates, ${r.auditEvents.toLocaleString('en')} audit events; ${r.runs} runs after two warm-up runs.`);
  lines.push('');
  lines.push('| engine | load (generate_series, through the triggers) |');
  lines.push('|---|---|');
  for (const e of r.engines) lines.push(`| ${e.engine} ${e.version} | ${e.loadMs === null ? 'reused from an earlier run' : `${Math.round(e.loadMs / 1000)} s`} |`);
  lines.push('');
  const pgRun = r.engines.find((e) => e.engine === 'PostgreSQL');
  const liteRun = r.engines.find((e) => e.engine === 'PGlite');
  const sameMachine = pgRun?.before;
  lines.push(
    `| read (the app's own function) | before: issue 12, quiet machine, p50 / p95 ms |${sameMachine ? ' before: the plain queries, this run, p50 / p95 ms |' : ''} PostgreSQL p50 / p95 ms | PGlite p50 / p95 ms | target p95 (PostgreSQL; PGlite 2.5×) | one run returned |`,
  );
  lines.push(`|---|---|${sameMachine ? '---|' : ''}---|---|---|---|`);
  const names = (pgRun ?? liteRun)?.timings.map((t) => t.name) ?? [];
  for (const name of names) {
    const a = pgRun?.timings.find((t) => t.name === name);
    const b = liteRun?.timings.find((t) => t.name === name);
    const target = (a ?? b)!.target;
    const ok = (t: Timing | undefined, factor: number) => (t ? (t.p95 <= target * factor ? ' ✓' : ' ✗') : '');
    lines.push(
      `| ${name} | ${BEFORE[name] ?? '—'} |${sameMachine ? ` ${sameMachine[name] ? `${fmt(sameMachine[name].p50)} / ${fmt(sameMachine[name].p95)}` : '—'} |` : ''} ${a ? `${fmt(a.p50)} / ${fmt(a.p95)}${ok(a, 1)}` : '—'} | ${b ? `${fmt(b.p50)} / ${fmt(b.p95)}${ok(b, 2.5)}` : '—'} | ≤ ${target} | ${(a ?? b)!.result} |`,
    );
  }
  return lines.join('\n');
}
