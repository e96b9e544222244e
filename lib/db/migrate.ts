import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { startEmbeddedPostgres } from '@/lib/db/embedded';

/*
 * Prisma Migrate without Prisma's downloaded engine: the same Migrate driver the CLI uses, on the
 * WebAssembly schema engine, talking to PostgreSQL (a server or PGlite's socket) through adapter-pg.
 * What it writes to `_prisma_migrations` is the engine's own bookkeeping, so the Prisma CLI and this
 * module can take turns on one database. See /work/shared/notes/prisma-offline.md for the gaps patched here.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCHEMA_PATH = path.join(root, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = path.join(root, 'prisma/migrations');

export interface MigrateDevResult {
  /** Migrations that were pending and got applied before the diff. */
  applied: string[];
  /** Directory name of the migration authored from the schema diff; undefined when in sync. */
  created?: string;
}

export interface MigrateDevOptions {
  /** Becomes the migration's directory suffix (`<timestamp>_<name>`). */
  name?: string;
  /** Write the migration without applying it, so it can be edited first. */
  createOnly?: boolean;
  /** Go ahead although the diff would lose data (drops a column, adds a unique constraint…). */
  acceptDataLoss?: boolean;
  /**
   * Where to replay the migrations to diff against. Default: a throwaway database created on the same
   * server, or a fresh in-memory PGlite when the target is PGlite (it serves one database only).
   */
  shadowDatabaseUrl?: string;
  log?: (line: string) => void;
}

/** Raised by `migrateDev` when the database no longer matches its migration history. */
export class MigrationDriftError extends Error {
  constructor(reason: string) {
    super(`${reason}\nThe database has drifted from prisma/migrations; reset it (drop and recreate) to continue.`);
    this.name = 'MigrationDriftError';
  }
}

/**
 * Applies the committed migrations in prisma/migrations that the database has not seen, in order, each
 * recorded in `_prisma_migrations` exactly as `prisma migrate deploy` would. Safe to call at every start:
 * a second run applies nothing. Creates the database first when a server lacks it.
 */
export async function migrateDeploy(databaseUrl: string): Promise<{ applied: string[] }> {
  await ensureDatabaseExists(databaseUrl);
  return withMigrate(databaseUrl, {}, async (migrate) => {
    const { appliedMigrationNames } = await migrate.applyMigrations();
    return { applied: appliedMigrationNames };
  });
}

/**
 * `prisma migrate dev`, non-interactive: applies pending migrations, then authors a new one from the
 * difference between schema.prisma and the migration history (replayed on a shadow database) and,
 * unless `createOnly`, applies it. Refuses to run on a drifted database or, without `acceptDataLoss`,
 * a change that would lose data.
 */
export async function migrateDev(databaseUrl: string, opts: MigrateDevOptions = {}): Promise<MigrateDevResult> {
  const log = opts.log ?? (() => {});
  await ensureDatabaseExists(databaseUrl);
  return withMigrate(databaseUrl, { shadowDatabaseUrl: opts.shadowDatabaseUrl }, async (migrate) => {
    const diagnostic = await migrate.devDiagnostic();
    if (diagnostic.action.tag === 'reset') throw new MigrationDriftError(diagnostic.action.reason);

    const { appliedMigrationNames: applied } = await migrate.applyMigrations();
    for (const name of applied) log(`applied ${name}`);

    const dataLoss = await migrate.evaluateDataLoss();
    if (dataLoss.unexecutableSteps.length > 0) {
      throw new Error(`The schema change cannot be executed:\n${dataLoss.unexecutableSteps.map((s) => `  • ${s.message}`).join('\n')}`);
    }
    if (dataLoss.warnings.length > 0) {
      const list = dataLoss.warnings.map((w) => `  • ${w.message}`).join('\n');
      if (!opts.acceptDataLoss) throw new Error(`The schema change may lose data:\n${list}\nRerun with --accept-data-loss to go ahead.`);
      log(`accepted data-loss warnings:\n${list}`);
    }
    if (dataLoss.migrationSteps === 0 && !opts.createOnly) return { applied };

    const { generatedMigrationName } = await migrate.createMigration({
      migrationName: opts.name ?? '',
      draft: Boolean(opts.createOnly),
      schema: migrate.getPrismaSchema(),
    });
    if (!generatedMigrationName) return { applied };
    log(`created prisma/migrations/${generatedMigrationName}/migration.sql`);
    if (!opts.createOnly) {
      const second = await migrate.applyMigrations();
      for (const name of second.appliedMigrationNames) log(`applied ${name}`);
    }
    return { applied, created: generatedMigrationName };
  });
}

/**
 * Read-only `migrate dev` dry run: does the database match its migration history, and do the
 * migrations produce what schema.prisma describes? Writes no file. `changes` counts the steps a new
 * migration would need (0: schema.prisma and prisma/migrations agree).
 */
export async function migrateCheck(databaseUrl: string, opts: { shadowDatabaseUrl?: string } = {}): Promise<{ drift: string | null; changes: number }> {
  return withMigrate(databaseUrl, opts, async (migrate) => {
    const diagnostic = await migrate.devDiagnostic();
    const { migrationSteps } = await migrate.evaluateDataLoss();
    return { drift: diagnostic.action.tag === 'reset' ? diagnostic.action.reason : null, changes: migrationSteps };
  });
}

/** Which migrations are recorded as finished, oldest first (rolled-back and failed ones left out). */
export async function listAppliedMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS ok`);
    if (!exists.rows[0].ok) return [];
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name`,
    );
    return rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

/** True when the URL is served by PGlite (one database per instance, so no shadow database on it). */
export async function isPglite(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>('SELECT version() AS v');
    return /wasm32|emscripten/i.test(rows[0].v);
  } finally {
    await client.end();
  }
}

/** Replaces the database name of a PostgreSQL URL, keeping credentials and parameters. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// ---------------------------------------------------------------------------------------------------
// The engine and its adapter

/** The part of @prisma/migrate's (untyped, CommonJS) `Migrate` class used here. */
interface PrismaMigrate {
  applyMigrations(): Promise<{ appliedMigrationNames: string[] }>;
  devDiagnostic(): Promise<{ action: { tag: 'reset'; reason: string } | { tag: 'createMigration' } }>;
  evaluateDataLoss(): Promise<{
    migrationSteps: number;
    warnings: { message: string }[];
    unexecutableSteps: { message: string }[];
  }>;
  createMigration(params: { migrationName: string; draft: boolean; schema: unknown }): Promise<{ generatedMigrationName?: string }>;
  getPrismaSchema(): unknown;
  stop(): Promise<void>;
}

interface WasmSchemaEngineClass {
  new: (options: { datamodels: [string, string][] }, log: (line: string) => void, adapter: object) => Promise<object>;
}

const require = createRequire(import.meta.url);
let wasmEngineClass: Promise<WasmSchemaEngineClass> | undefined;

/**
 * Instantiates schema_engine_bg.wasm with its JS glue once per process. @prisma/internals has a loader,
 * but it looks for the .wasm inside the Prisma CLI's build folder, which the published package lacks.
 */
function loadWasmSchemaEngine(): Promise<WasmSchemaEngineClass> {
  wasmEngineClass ??= (async () => {
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmModule = new WebAssembly.Module(await readFile(path.join(dir, 'schema_engine_bg.wasm')));
    // The engine arms 10 s timers it never clears (it imports no clearTimeout); unref'd, they no
    // longer keep a finished `npm run migrate` or a test worker alive for those 10 s.
    const imports: Record<string, unknown> = { ...glue };
    for (const key of Object.keys(imports).filter((k) => k.startsWith('__wbg_setTimeout_'))) {
      const arm = imports[key] as (...args: unknown[]) => NodeJS.Timeout;
      imports[key] = (...args: unknown[]) => arm(...args).unref();
    }
    const instance = new WebAssembly.Instance(wasmModule, { './schema_engine_bg.js': imports as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue.SchemaEngine as unknown as WasmSchemaEngineClass;
  })();
  return wasmEngineClass;
}

async function withMigrate<T>(
  databaseUrl: string,
  opts: { shadowDatabaseUrl?: string },
  fn: (migrate: PrismaMigrate) => Promise<T>,
): Promise<T> {
  const { Migrate } = require('@prisma/migrate/dist/Migrate.js') as {
    Migrate: new (args: object) => PrismaMigrate;
  };
  const { SchemaEngineWasm } = require('@prisma/migrate/dist/SchemaEngineWasm.js') as {
    SchemaEngineWasm: new (args: object) => object;
  };
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const schemaFiles: [string, string][] = [[SCHEMA_PATH, schema]];
  const factory = new MigrationAdapterFactory(databaseUrl, opts.shadowDatabaseUrl);
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(factory);
  const SchemaEngine = await loadWasmSchemaEngine();
  const debug = process.env.CERTFLEET_MIGRATE_DEBUG ? (line: string) => process.stderr.write(`${line}\n`) : () => {};
  const wasmEngine = await SchemaEngine.new({ datamodels: schemaFiles }, debug, adapterFactory);
  const engine = new SchemaEngineWasm({ engine: wasmEngine, errorRegistry: adapterFactory.errorRegistry });
  const migrate = new Migrate({
    engine,
    schemaContext: { schemaFiles, schemaRootDir: path.dirname(SCHEMA_PATH), primaryDatasource: undefined },
    migrationsDirPath: MIGRATIONS_DIR,
  });
  try {
    return await fn(migrate);
  } finally {
    await migrate.stop();
    await factory.closeAll();
  }
}

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * adapter-pg rejects PostgreSQL's one-byte `"char"` type, which the engine's catalog queries return
 * (pg_class.relkind and friends). pg hands those values over as strings anyway; calling them text is enough.
 */
class CharAsTextClient extends pg.Client {}
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
// Assigned rather than declared with `override`: pg's overloads cannot be restated one by one.
(CharAsTextClient.prototype as unknown as { query: typeof clientQuery }).query = function (this: pg.Client, ...args) {
  // pg.Pool#query calls in callback style, a checked-out client in promise style.
  const last = args.at(-1);
  if (typeof last === 'function') {
    args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : reportCharAsText(res));
  }
  const result = clientQuery.apply(this, args);
  return result instanceof Promise ? result.then(reportCharAsText) : result;
};

function reportCharAsText<R>(result: R): R {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  /** Freeing the Wasm engine does not dispose its adapters; their idle pools would hold the process open. */
  private readonly open = new Set<() => Promise<void>>();

  constructor(
    private readonly databaseUrl: string,
    private readonly shadowDatabaseUrl?: string,
  ) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await connectAdapter(this.databaseUrl));
  }

  /**
   * PrismaPg's own version drops the shadow database before closing its pool, and when built from a
   * connection string it ignores the database override, so shadow work would land on the main database.
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await openShadowDatabase(this.databaseUrl, this.shadowDatabaseUrl);
    try {
      return this.track(await connectAdapter(shadow.url), shadow.drop);
    } catch (e) {
      await shadow.drop();
      throw e;
    }
  }

  async closeAll(): Promise<void> {
    for (const close of [...this.open]) await close();
  }

  private track(adapter: SqlDriverAdapter, afterDispose?: () => Promise<void>): SqlDriverAdapter {
    const dispose = adapter.dispose.bind(adapter);
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        this.open.delete(close);
        await dispose();
        await afterDispose?.();
      })();
      return closing;
    };
    this.open.add(close);
    adapter.dispose = close;
    return adapter;
  }
}

async function connectAdapter(url: string): Promise<SqlDriverAdapter> {
  // adapter-pg bundles its own @types/pg, so the pool config is typed against that copy.
  const config = { connectionString: url, max: 2, Client: CharAsTextClient } as unknown as pg.PoolConfig & ConstructorParameters<typeof PrismaPg>[0];
  const adapter = await new PrismaPg(config).connect();
  const pool = adapter.underlyingDriver() as unknown as pg.Pool;
  // adapter-pg splits scripts on every `;`, which cuts a plpgsql body (the AuditEvent trigger) apart.
  // One simple-protocol query runs the whole script, as the native engine does.
  const { onError } = adapter as unknown as { onError(error: unknown): never };
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      onError.call(adapter, error);
    }
  };
  return adapter;
}

async function openShadowDatabase(databaseUrl: string, explicitUrl?: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (explicitUrl) return { url: explicitUrl, drop: async () => {} };
  if (await isPglite(databaseUrl)) {
    const embedded = await startEmbeddedPostgres();
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(databaseUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  return {
    url: withDatabase(databaseUrl, name),
    drop: () => adminQuery(databaseUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`),
  };
}

/** Runs one statement on the server of `databaseUrl` (for CREATE/DROP DATABASE, which need their own session). */
export async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Like `prisma migrate deploy`: a server that lacks the database gets it created. */
async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    // 3D000 invalid_catalog_name: the server is there, the database is not.
    if ((error as { code?: string }).code !== '3D000') throw error;
    const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
    await adminQuery(withDatabase(databaseUrl, 'postgres'), `CREATE DATABASE ${quoteIdent(database)}`);
  }
}
