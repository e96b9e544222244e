import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * The one Prisma client of a process. It talks to PostgreSQL through `@prisma/adapter-pg`, whether
 * DATABASE_URL names a server or the embedded PGlite that `npm start` serves on a loopback socket.
 */
export function createPrismaClient(url = requireDatabaseUrl()): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 5 }),
    // PGlite serves one connection's transaction at a time, so a transaction may queue behind another's;
    // waiting longer than Prisma's 2 s default keeps bursts (a bulk revoke, a pull) from failing.
    transactionOptions: { maxWait: 15_000, timeout: 30_000 },
  });
}

function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: start certfleet with `npm start`, which serves the embedded database.');
  return url;
}

const globalForPrisma = globalThis as unknown as { certfleetPrisma?: PrismaClient };

/** Lazily created so that importing this module never needs a database. */
export function db(): PrismaClient {
  globalForPrisma.certfleetPrisma ??= createPrismaClient();
  return globalForPrisma.certfleetPrisma;
}
