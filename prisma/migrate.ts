import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { migrateDeploy, migrateDev, MigrationDriftError } from '@/lib/db/migrate';
import { findSchemaEngineBinary } from '@/lib/db/schema-engine-binary';

const USAGE = `Usage:
  npm run migrate                                   apply prisma/migrations to DATABASE_URL
  npm run migrate:dev -- --name <name> [--create-only] [--accept-data-loss]
                                                    author a migration from schema.prisma

Without DATABASE_URL, migrate:dev authors against a throwaway in-memory PGlite (nothing else is touched);
npm start migrates its embedded database itself.
The Prisma CLI runs the command when its native schema engine is installed; otherwise (offline installs)
Prisma's WebAssembly engine does. CERTFLEET_SCHEMA_ENGINE=wasm|cli forces one.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', short: 'n' },
    'create-only': { type: 'boolean' },
    'accept-data-loss': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
const command = positionals[0];
if (values.help || (command !== 'deploy' && command !== 'dev')) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const engineBinary = findSchemaEngineBinary();
const useCli = process.env.CERTFLEET_SCHEMA_ENGINE === 'cli' || (process.env.CERTFLEET_SCHEMA_ENGINE !== 'wasm' && engineBinary);

try {
  process.exitCode = useCli ? runPrismaCli(command) : await runWasm(command);
} catch (error) {
  if (error instanceof MigrationDriftError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
}

async function runWasm(cmd: 'deploy' | 'dev'): Promise<number> {
  const started = performance.now();
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;
  const url = process.env.DATABASE_URL;
  if (cmd === 'deploy') {
    if (!url) {
      console.error('DATABASE_URL is not set. `npm start` migrates its embedded database itself.');
      return 2;
    }
    const { applied } = await migrateDeploy(url);
    console.log(applied.length ? `Applied ${applied.join(', ')} (${elapsed()}).` : `No pending migrations (${elapsed()}).`);
    return 0;
  }

  const embedded = url ? undefined : await startEmbeddedPostgres();
  try {
    const result = await migrateDev(url ?? embedded!.url, {
      name: values.name,
      createOnly: values['create-only'],
      acceptDataLoss: values['accept-data-loss'],
      shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
      log: (line) => console.log(line),
    });
    if (!result.created) console.log(`Already in sync: no schema change or pending migration (${elapsed()}).`);
    else console.log(`Done (${elapsed()}).`);
    return 0;
  } finally {
    await embedded?.stop();
  }
}

/** The real thing where it can run; the same flags, passed through. */
function runPrismaCli(cmd: 'deploy' | 'dev'): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const args = [cli, 'migrate', cmd];
  if (cmd === 'dev') {
    if (values.name) args.push('--name', values.name);
    if (values['create-only']) args.push('--create-only');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  if (engineBinary) env.PRISMA_SCHEMA_ENGINE_BINARY = engineBinary;
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}
