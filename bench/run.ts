// `npm run bench`: every benchmark, results written to docs/benchmarks.md.
//
//   npm run bench                          # all of it (the readings part loads ~13 M rows twice: allow ~30 min)
//   npm run bench -- --only readings       # one part; the other sections of docs/benchmarks.md are kept
//   npm run bench -- --only worker
//   npm run bench -- --pglite-devices 20   # readings options: --devices --days --runs --pull --pglite-devices
//
// Each section sits between <!-- bench:<name> --> markers, so a partial run replaces only its own.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
