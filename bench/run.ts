// `npm run bench`: every benchmark, results written to docs/benchmarks.md.
//
//   npm run bench                          # all of it (the readings part loads ~13 M rows twice: allow ~30 min)
//   npm run bench -- --only readings       # one part; the other sections of docs/benchmarks.md are kept
//   npm run bench -- --only worker
//   npm run bench -- --pglite-devices 20   # readings options: --devices --days --runs --pull --pglite-devices
//   npm run bench -- --only alerts --alert-devices 100000 --deliveries 10000
//   npm run bench -- --only inventory [--inventory-devices 100000] [--runs 20] [--fresh] [--before] [--skip-pglite] [--skip-postgres]
//   npm run bench -- --only inventory --cases planner [--inventory-db certfleet_bench_planner]   # some reads (comma-separated: --cases search,Overview): printed, not written
//   npm run bench -- --only cloudflare                # ~9 min at Cloudflare's real limit; --rate-limit 1200/60 --pages 400 is quicker
//   npm run bench -- --only first-load [--first-load-port 3204] [--first-load-before file.json]   # JS per route in Chromium
//   npm run bench -- --only browse [--browse-devices 100000] [--browse-runs 10] [--browse-port 3205]   # the dashboard at fleet size in Chromium (DATABASE_URL: a PostgreSQL server loads it in minutes)
//   npm run bench -- --only est-renewal               # ~45 min at Cloudflare's real limit; --rate-limit 1200/60 (~10 min), --est-devices 500
//
// Each section sits between <!-- bench:<name> --> markers, so a partial run replaces only its own.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkAlerts, formatAlertsBenchmark } from './alerts';
import { benchmarkBrowse, formatBrowseBenchmark } from './browse';
import { benchmarkFirstLoad, formatFirstLoadBenchmark, readFirstLoadBefore } from './first-load';
import { benchmarkInventory, formatInventoryBenchmark } from './inventory';
import { benchmarkCloudflare, formatCloudflareBenchmark } from './cloudflare';
import { benchmarkEstRenewal, formatEstRenewalBenchmark } from './est-renewal';
import { benchmarkReadings, formatReadingsBenchmark } from './readings';
import { formatLostReadings, measureLostReadings } from './seed-worker';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/benchmarks.md');

const HEADER = `# Benchmarks

\`npm run bench\` (bench/run.ts) runs each benchmark below and rewrites its section of this page; \`--only <name>\`
runs one. The figures are from one run on the machine each section names: rerun on yours before quoting them.
`;

interface Section {
  name: string;
  title: string;
  intro: string;
  run(): Promise<string>;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string) => (flag(name) === undefined ? undefined : Number(flag(name)));

const SECTIONS: Section[] = [
  {
    name: 'inventory',
    title: 'Inventory at fleet scale: lists, search, Overview, audit',
    intro: [
      '`bench/inventory.ts` (`benchmarkInventory()`, `formatInventoryBenchmark()`) generates a fleet inside the database',
      '(`INSERT … SELECT generate_series`, through the triggers that keep the read model) and times the app\'s own read functions',
      '(lib/data/devices.ts, certificates.ts, expiry.ts, audit.ts) as the pages call them. PostgreSQL: `certfleet_bench_inventory` on',
      '`DATABASE_URL`\'s server; PGlite: an on-disk data dir behind the loopback socket `npm start` uses. Both are kept and reused',
      'by the next run (`--fresh` re-creates them). "Before" is issue 12\'s measurement of the code this replaced.',
    ].join('\n'),
    run: async () =>
      formatInventoryBenchmark(
        await benchmarkInventory({
          devices: num('inventory-devices'),
          runs: num('runs'),
          fresh: process.argv.includes('--fresh'),
          before: process.argv.includes('--before'),
          skipPglite: process.argv.includes('--skip-pglite'),
          skipPostgres: process.argv.includes('--skip-postgres'),
          database: flag('inventory-db'),
          cases: flag('cases'),
        }),
      ),
  },
  {
    name: 'readings',
    title: 'Readings at fleet scale: chart queries and pulls',
    intro: [
      '`bench/readings.ts` (`benchmarkReadings()`, `formatReadingsBenchmark()`) generates one reading per minute per device',
      'inside the database (`INSERT … SELECT … generate_series`, never from Node), times the charts\' bucketed queries',
      '(`lib/readings/buckets.ts`, the same SQL the pages run) for 24 h, 30 d and 90 d on a different device each run,',
      'and pulls readings posted to the Worker in workerd into the loaded database with `pullReadings()`.',
      'PostgreSQL runs in a database of its own, `certfleet_bench` (re-created each run) on `DATABASE_URL`\'s server',
      '(default `postgresql://postgres@127.0.0.1:5432`); PGlite in a temporary on-disk data directory behind the same',
      'loopback socket `npm start` uses.',
    ].join('\n'),
    run: async () =>
      formatReadingsBenchmark(
        await benchmarkReadings({
          devices: num('devices'),
          days: num('days'),
          runs: num('runs'),
          pullReadings: num('pull'),
          pgliteDevices: num('pglite-devices'),
          skipPglite: process.argv.includes('--skip-pglite'),
          skipPostgres: process.argv.includes('--skip-postgres'),
        }),
      ),
  },
  {
    name: 'alerts',
    title: 'Alerts: rule evaluation at fleet scale, delivery through a crash',
    intro: [
      '`bench/alerts.ts` (`benchmarkAlerts()`, `formatAlertsBenchmark()`) generates a fleet inside PostgreSQL (`certfleet_bench_alerts`',
      'on `DATABASE_URL`\'s server, re-created each run) and times `evaluateAlertRules()` (lib/alerts/evaluate.ts) over it; then raises',
      '10,000 alerts in `certfleet_bench_delivery` and delivers them with worker processes running `deliverDueAlerts()` to a webhook',
      'receiver on loopback that verifies every signature (lib/alerts/testing/receivers.ts), killing the first worker half way.',
    ].join('\n'),
    run: async () => formatAlertsBenchmark(await benchmarkAlerts({ devices: num('alert-devices'), deliveries: num('deliveries'), runs: num('runs') })),
  },
  {
    name: 'cloudflare',
    title: 'Cloudflare: one rate budget under a reconcile of 100,000 certificates',
    intro: [
      '`bench/cloudflare.ts` (`benchmarkCloudflare()`) starts the local Cloudflare with Cloudflare\'s limit (the request over it locks',
      'the token out) and a process that lists 2,000 pages at background priority through lib/cloudflare, as reconciling 100,000',
      'certificates does, while the bench process revokes a certificate every few seconds at interactive priority. Both draw from',
      'the same budget in the database (lib/cloudflare/budget.ts). `--pages`, `--rate-limit 1200/60` (a shorter window) change the load.',
    ].join('\n'),
    run: async () => formatCloudflareBenchmark(await benchmarkCloudflare({ pages: num('pages'), rateLimit: flag('rate-limit') })),
  },
  {
    name: 'est-renewal',
    title: 'EST: a fleet entering its renewal window at once',
    intro: [
      '`bench/est-renewal.ts` (`benchmarkEstRenewal()`) gives every device a current certificate of the local Cloudflare inside its',
      'group\'s renewal window, then has them all send `simplereenroll` at once through the local edge (a real mTLS handshake with',
      'the device\'s own certificate; the Worker in workerd stores the request). certfleet\'s EST job (`syncEst()`, lib/est/sync.ts) runs',
      'in a process of its own (lib/est/testing/sync-loop.ts), issues through the one door under the shared budget and hands the',
      'certificates back; the bench kills it (SIGKILL) half way and a second process finishes. Then every device asks again and must get',
      '200 with a certificate for its new key. "Issued twice" counts what Cloudflare signed, compared with the database.',
      '`--est-devices N`, `--rate-limit 1200/60` (the same limit over a 5× shorter window) change the load.',
    ].join('\n'),
    run: async () => formatEstRenewalBenchmark(await benchmarkEstRenewal({ devices: num('est-devices'), rateLimit: flag('rate-limit') })),
  },
  {
    name: 'first-load',
    title: 'JavaScript per dashboard route on a cold load',
    intro: [
      '`bench/first-load.ts` (`benchmarkFirstLoad()`) builds if the build is stale, starts the e2e stack (scripts/serve-test.ts:',
      'seeded demo fleet, `next start`), signs in as the ADMIN demo user in Debian\'s Chromium and opens each route in a new tab with',
      'the cache disabled. Each script is counted with the bytes Chromium received for it (CDP `Network.loadingFinished`',
      '`encodedDataLength`: the gzip body as `next start` sends it plus its response headers). "First load" is the scripts the',
      'route\'s HTML names (script tags, preloads, client chunks of the inlined RSC payload), the figure issue 12 caps at 200 kB;',
      '"loaded later" is what the page\'s code imports after hydration (charts), counted until the network is idle. Code only an',
      'action needs (key generation, PKCS#12, a form\'s zod schema) is loaded on that action and counted in neither. "Before" is',
      'the same bench on the code before the cuts (bench/fixtures/first-load-before.json).',
    ].join('\n'),
    run: async () => formatFirstLoadBenchmark(await benchmarkFirstLoad({ port: num('first-load-port') }), readFirstLoadBefore(flag('first-load-before'))),
  },
  {
    name: 'browse',
    title: 'The dashboard at fleet size, in Chromium',
    intro: [
      '`bench/browse.ts` (`benchmarkBrowse()`) starts the e2e stack (scripts/serve-test.ts: the demo fleet, the local Cloudflare, the job',
      'worker, the simulated sensors, `next start` on the production build) with `E2E_FLEET=N`, so its fresh database also holds the',
      'inventory benchmark\'s generated fleet (lib/db/scale-fleet.ts), then signs in as the ADMIN demo user in Debian\'s Chromium and opens',
      'every list and the Overview, each several times after a warm-up. "Server" is the document from request to last byte (Navigation',
      'Timing `responseEnd − requestStart`: the whole server render, the lists streamed behind their skeletons included); "shown" is from',
      'the navigation\'s start until the screen\'s content is visible and no skeleton or table is marked `aria-busy`. The typed search is',
      'a client navigation, from Enter in the search box to the one matching row. `--browse-devices N`, `--browse-runs N`.',
    ].join('\n'),
    run: async () => formatBrowseBenchmark(await benchmarkBrowse({ devices: num('browse-devices'), runs: num('browse-runs'), port: num('browse-port') })),
  },
  {
    name: 'worker',
    title: 'The seed\'s Worker against ours: lost readings',
    intro: 'See [the Worker](worker.md#benchmark-the-seeds-worker-against-ours) for what this measures and why.',
    run: async () => formatLostReadings(await measureLostReadings()),
  },
];

function sectionText(s: Section, body: string): string {
  return `<!-- bench:${s.name} -->\n## ${s.title}\n\n${s.intro}\n\n${body}\n<!-- /bench:${s.name} -->`;
}

/** The existing section of `name` in the page, to keep when it is not rerun. */
function existingSection(doc: string, name: string): string | undefined {
  const match = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`).exec(doc);
  return match?.[0];
}

async function main(): Promise<void> {
  const only = flag('only');
  if (only && !SECTIONS.some((s) => s.name === only)) {
    throw new Error(`--only takes one of: ${SECTIONS.map((s) => s.name).join(', ')}`);
  }
  const previous = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const parts: string[] = [];
  for (const section of SECTIONS) {
    if (only && section.name !== only) {
      const kept = existingSection(previous, section.name);
      if (kept) parts.push(kept);
      continue;
    }
    console.log(`[bench] ${section.name}: running`);
    const started = Date.now();
    const body = await section.run();
    console.log(`[bench] ${section.name}: done in ${Math.round((Date.now() - started) / 1000)} s\n\n${body}\n`);
    // Some of a section's cases only: shown above, never written over the whole section's figures.
    if (flag('cases')) return;
    parts.push(sectionText(section, body));
    // Written after each section, so a later failure keeps what finished.
    writeFileSync(DOC, `${HEADER}\n${parts.join('\n\n')}\n`);
  }
  writeFileSync(DOC, `${HEADER}\n${parts.join('\n\n')}\n`);
  console.log(`[bench] wrote ${path.relative(process.cwd(), DOC)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
