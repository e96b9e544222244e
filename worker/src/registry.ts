import { SqlDurableObject } from './sql-object';
import type { CertificateIdentity } from './identity';

/*
 * Every certificate that ever posted, with first/last seen, count and last seq, for the dashboard's
 * "last seen per certificate" and for listing device objects (Durable Objects cannot be enumerated).
 *
 * No read-modify-write race: each post sends the device object's absolute totals (count, seq, time) and the
 * row is merged with max()/min() in one UPSERT. Merging is commutative and idempotent, so two updates that
 * arrive out of order, or twice, leave the same row.
 *
 * Sharded by the fingerprint's first hex digit (16 objects) so the registry is not one hot object for the whole
 * fleet; listing in fingerprint order is the shards' lists concatenated in shard order.
 */

export const REGISTRY_SHARDS = 16;

export function registryShardName(fingerprint: string): string {
  return `registry-${fingerprint.charAt(0)}`;
}

export interface RegistryUpdate {
  identity: CertificateIdentity;
  seenAtMs: number;
  count: number;
  lastSeq: number;
}

export interface CertificateEntry {
  fingerprint: string;
  serial: string;
  ski: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  lastSeq: number;
}

type Row = {
  fingerprint: string;
  serial: string;
  ski: string;
  first_seen: number;
  last_seen: number;
  count: number;
  last_seq: number;
};

export class CertificateRegistry extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, `
      CREATE TABLE IF NOT EXISTS certificates (
        fingerprint TEXT PRIMARY KEY,
        serial TEXT NOT NULL,
        ski TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        count INTEGER NOT NULL,
        last_seq INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  }

  record(update: RegistryUpdate): void {
    const { identity, seenAtMs, count, lastSeq } = update;
    this.sql.exec(
      `INSERT INTO certificates (fingerprint, serial, ski, first_seen, last_seen, count, last_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fingerprint) DO UPDATE SET
         first_seen = min(first_seen, excluded.first_seen),
         last_seen = max(last_seen, excluded.last_seen),
         count = max(count, excluded.count),
         last_seq = max(last_seq, excluded.last_seq)`,
      identity.fingerprint,
      identity.serial,
      identity.ski,
      seenAtMs,
      seenAtMs,
      count,
      lastSeq,
    );
  }

  get(fingerprint: string): CertificateEntry | null {
    const rows = this.sql.exec<Row>('SELECT * FROM certificates WHERE fingerprint = ?', fingerprint).toArray();
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /** Entries with fingerprint > after, in fingerprint order. */
  list(after: string, limit: number): CertificateEntry[] {
    return this.sql
      .exec<Row>('SELECT * FROM certificates WHERE fingerprint > ? ORDER BY fingerprint LIMIT ?', after, limit)
      .toArray()
      .map(toEntry);
  }
}

function toEntry(r: Row): CertificateEntry {
  return {
    fingerprint: r.fingerprint,
    serial: r.serial,
    ski: r.ski,
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
    count: r.count,
    lastSeq: r.last_seq,
  };
}
