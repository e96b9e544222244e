import { DurableObject } from 'cloudflare:workers';

/**
 * A Durable Object over its own SQLite storage (device readings, the certificate registry, EST's state). The
 * schema is applied synchronously in the constructor, so no request can reach the object before its tables
 * exist; `CREATE … IF NOT EXISTS` keeps that a no-op once they do.
 */
export abstract class SqlDurableObject extends DurableObject {
  protected readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown, schema: string) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(schema);
  }
}
