import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by the Prisma CLI where its engine is installed; certfleet's own
// migrate command (prisma/migrate.ts) reads DATABASE_URL itself and works offline.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:54329/postgres' },
});
