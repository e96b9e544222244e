import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Path of Prisma's native schema engine when `npm install` managed to download it, else undefined.
 * Offline installs end without it (the download fails silently), and then certfleet migrates through
 * the WebAssembly engine instead (lib/db/migrate.ts).
 */
export function findSchemaEngineBinary(): string | undefined {
  const fromEnv = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (fromEnv && existsSync(fromEnv) && path.basename(fromEnv).startsWith('schema-engine')) return fromEnv;
  const require = createRequire(import.meta.url);
  const dirs: string[] = [];
  for (const pkg of ['@prisma/engines/package.json', 'prisma/package.json']) {
    try {
      dirs.push(path.dirname(require.resolve(pkg)));
    } catch {
      // Not installed: nothing to look in.
    }
  }
  for (const dir of dirs) {
    const name = readdirSync(dir).find((f) => /^schema-engine-(?!.*\.(gz|sha256|sig)$)/.test(f));
    if (name) return path.join(dir, name);
  }
  return undefined;
}
