import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSchemaEngineBinary } from '@/lib/db/schema-engine-binary';

/**
 * `prisma generate` that works offline. Generating the client needs no schema engine, but the CLI
 * refuses to start without one and tries to download it; any existing file satisfies that check.
 * Runs from `postinstall`, so a fresh `npm install`/`npm ci` leaves a usable lib/generated/prisma.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: findSchemaEngineBinary() ?? process.execPath,
};

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
