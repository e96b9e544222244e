import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPrismaClient } from '@/lib/db/client';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { adminQuery, MIGRATIONS_DIR, migrateDeploy, quoteIdent, withDatabase } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/*
 * Throwaway databases for tests. With a PostgreSQL server (DATABASE_URL, or CERTFLEET_TEST_SERVER_URL
 * inside vitest) each one is a fresh database cloned from a migrated template; without one, an in-memory
 * PGlite started from a migrated data-dir dump. Nothing here opens `.data/` (npm start's database).
 */

export interface TestDatabase {
  /** Connection URL, e.g. to hand to a child process as DATABASE_URL. */
  url: string;
  prisma: PrismaClient;
  /** Disconnects and destroys the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** false: an empty database with no migrations applied (to test migrating itself). Default true. */
  migrated?: boolean;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Git-ignored and outside vitest's include: the only place the harness writes to. */
const CACHE_DIR = path.join(root, '.test-data', 'cache');
const TEST_DB_PREFIX = 'certfleet_t_';
const TEMPLATE_PREFIX = 'certfleet_tpl_';
/** Serialises template builds across processes (vitest workers, Playwright, a colleague's run). */
const TEMPLATE_LOCK_KEY = 0x63657274; // "cert"

/**
 * The PostgreSQL server test databases are created on, or undefined for PGlite. Inside vitest the
 * global setup has replaced DATABASE_URL by the run's own test database and keeps the server here.
 */
export function testServerUrl(): string | undefined {
  if ('CERTFLEET_TEST_SERVER_URL' in process.env) return process.env.CERTFLEET_TEST_SERVER_URL || undefined;
  return process.env.DATABASE_URL || undefined;
}

/**
 * A fresh, migrated (unless `migrated: false`) database of its own. Server: about 0.1–0.2 s once the
 * template exists; PGlite: about 0.5–1 s from the cached dump, 3 s the first time.
 */
export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrated = opts.migrated ?? true;
  const server = testServerUrl();
  return server ? createOnServer(server, migrated) : createOnPglite(migrated);
}

async function createOnServer(server: string, migrated: boolean): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${randomBytes(6).toString('hex')}`;
  const template = migrated ? await serverTemplate(server) : undefined;
  await adminQuery(server, `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
  const url = withDatabase(server, name);
  const prisma = createPrismaClient(url);
  return {
    url,
    prisma,
    stop: once(async () => {
      await prisma.$disconnect();
      // FORCE (PostgreSQL 13+): a test that leaked a connection must not leave its database behind.
      await adminQuery(server, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }),
  };
}

async function createOnPglite(migrated: boolean): Promise<TestDatabase> {
  const embedded = await startEmbeddedPostgres({ loadDataDir: migrated ? await pgliteTemplate() : undefined });
  const prisma = createPrismaClient(embedded.url);
  return {
    url: embedded.url,
    prisma,
    stop: once(async () => {
      await prisma.$disconnect();
      await embedded.stop();
    }),
  };
}

const serverTemplates = new Map<string, Promise<string>>();

/**
 * Name of a database holding exactly the committed migrations, built once per migration set and
 * server; named by content, so an edited or added migration gets a template of its own. Old ones
 * stay (a few MB each) in case another checkout still uses them: `DROP DATABASE` them at will.
 */
function serverTemplate(server: string): Promise<string> {
  const name = `${TEMPLATE_PREFIX}${migrationsKey().slice(0, 16)}`;
  const memoKey = `${withDatabase(server, name)}`;
  let template = serverTemplates.get(memoKey);
  if (!template) {
    template = buildServerTemplate(server, name);
    serverTemplates.set(memoKey, template);
    template.catch(() => serverTemplates.delete(memoKey));
  }
  return template;
}

async function buildServerTemplate(server: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return name;
    // Built under another name and renamed when complete: a crash mid-build never leaves a half-migrated template.
    const building = `${name}_b${randomBytes(4).toString('hex')}`;
    await client.query(`CREATE DATABASE ${quoteIdent(building)}`);
    try {
      await migrateDeploy(withDatabase(server, building));
      await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
    } catch (error) {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`).catch(() => {});
      throw error;
    }
    // Cloning fails while anyone is connected to the source; nobody needs to be.
    await client.query(`ALTER DATABASE ${quoteIdent(name)} WITH ALLOW_CONNECTIONS false`);
    return name;
  } finally {
    await client.end(); // ends the session, which releases the advisory lock
  }
}

let pgliteDump: Promise<Blob> | undefined;

/** A gzipped data dir of a migrated PGlite, cached on disk per migration set and PGlite version. */
function pgliteTemplate(): Promise<Blob> {
  pgliteDump ??= (async () => {
    const pgliteVersion = packageVersion('@electric-sql/pglite');
    const file = path.join(CACHE_DIR, `pglite-${pgliteVersion}-${migrationsKey().slice(0, 16)}.tar.gz`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const embedded = await startEmbeddedPostgres();
    try {
      await migrateDeploy(embedded.url);
      const dump = await embedded.pglite.dumpDataDir('gzip');
      mkdirSync(CACHE_DIR, { recursive: true });
      // Written aside and renamed: a parallel worker either sees the whole file or none.
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, file);
      for (const stale of readdirSync(CACHE_DIR).filter((f) => f.startsWith('pglite-') && f.endsWith('.tar.gz'))) {
        if (path.join(CACHE_DIR, stale) !== file) rmSync(path.join(CACHE_DIR, stale), { force: true });
      }
      return dump;
    } finally {
      await embedded.stop();
    }
  })();
  pgliteDump.catch(() => (pgliteDump = undefined));
  return pgliteDump;
}

/** Identifies the committed migration set: names and contents of every migration.sql. */
export function migrationsKey(): string {
  const hash = createHash('sha256');
  const dirs = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const dir of dirs) {
    const file = path.join(MIGRATIONS_DIR, dir, 'migration.sql');
    hash.update(dir).update('\0').update(existsSync(file) ? readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex');
}

/** Its package.json is not in its `exports`, so it is found from the entry point up. */
function packageVersion(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  while (dir !== path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`Cannot find the package.json of ${name}`);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
