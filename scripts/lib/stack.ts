import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@/lib/db/embedded';
import { migrateDeploy } from '@/lib/db/migrate';
import { createPrismaClient } from '@/lib/db/client';
import { persistentSecret } from './secrets';
import { NEXT_BIN, stopChild, waitForHttp } from './processes';

/** What the app process needs to know about the local parts: passed to `next` as environment. */
export interface CloudflareTarget {
  mode: 'local' | 'real';
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when given, otherwise PGlite with its data in `dataDir` (null: in memory). */
export async function openDatabase(opts: { databaseUrl?: string; pgliteDir: string | null; pglitePort?: number }): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = opts.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: opts.pgliteDir ?? undefined, port: opts.pglitePort ?? 0 });
    url = embedded.url;
  }
  await migrateDeploy(url);
  return { url, embedded: !!embedded, stop: async () => embedded?.stop() };
}

/** The session secret: NEXTAUTH_SECRET when set, otherwise one kept under the data directory. */
export function sessionSecret(dataDir: string): string {
  return process.env.NEXTAUTH_SECRET || persistentSecret(join(dataDir, 'secrets', 'nextauth-secret'));
}

/** Start `next start` (or `next dev`) on loopback and wait until it answers. */
export async function startNext(opts: {
  port: number;
  dev?: boolean;
  env: Record<string, string>;
  quiet?: boolean;
}): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const url = `http://127.0.0.1:${opts.port}`;
  // An idle keep-alive connection is closed by the server after 5 s by default; a client sending on it at that
  // moment gets ECONNRESET (seen once in the e2e specs, an API call after a 5 s pause). Two minutes outlast the pauses.
  const args = [NEXT_BIN, opts.dev ? 'dev' : 'start', '-H', '127.0.0.1', '-p', String(opts.port), ...(opts.dev ? [] : ['--keepAliveTimeout', '120000'])];
  const child = spawn(process.execPath, args, {
    stdio: opts.quiet ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXTAUTH_URL: url, ...opts.env },
  });
  child.stdout?.resume();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`next exited with ${code} before it answered`))),
  );
  await Promise.race([waitForHttp(`${url}/signin`, 180_000), exited]);
  return { url, child, stop: () => stopChild(child) };
}

export { createPrismaClient };
