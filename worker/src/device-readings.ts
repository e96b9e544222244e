import { SqlDurableObject } from './sql-object';
import type { CertificateIdentity } from './identity';
import { formatTime } from './readings';

/*
 * Why one Durable Object per certificate, with SQLite storage:
 *
 * - Nothing is lost under concurrency. The seed read a KV value, appended, and wrote it back; two posts that
 *   overlap both read the old list and the second write drops the first reading (KV has no compare-and-swap).
 *   A Durable Object runs one method at a time per object, and every method here does its SQL synchronously
 *   (`storage.sql.exec` never yields), so an INSERT and the counter update it belongs to form one atomic step;
 *   the runtime's output gate holds the 201 until the write is durable.
 * - It grows with the fleet. Each device's writes land on its own object, so a thousand sensors are a thousand
 *   independent single-writer logs instead of one hot key; KV also allows only one write per second per key.
 * - The queries the dashboard needs are SQL over an index: "after this seq" for incremental pulls and GROUP BY
 *   for min/max/avg buckets, computed next to the data so only a screenful of points crosses the network.
 * - `seq` is an AUTOINCREMENT key, so it only ever grows (never reused, even after deletes): a safe cursor.
 */

export interface StoredReading {
  seq: number;
  temperature: number;
  /** The device's own timestamp, ISO 8601 UTC. */
  time: string;
  /** When the Worker accepted it, ISO 8601 UTC. */
  receivedAt: string;
}

export interface AppendResult {
  seq: number;
  /** Readings this certificate has posted, including this one. */
  count: number;
  receivedAtMs: number;
}

export interface Bucket {
  start: string;
  end: string;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
}

type ReadingRow = { seq: number; temperature: number; time_ms: number; received_at: number };

export class DeviceReadings extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, `
      CREATE TABLE IF NOT EXISTS readings (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        temperature REAL NOT NULL,
        time_ms INTEGER NOT NULL,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS readings_by_time ON readings (time_ms, seq);
      CREATE TABLE IF NOT EXISTS certificate (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL,
        serial TEXT NOT NULL,
        ski TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0
      );
    `);
  }

  /** Stores one reading; `seq` and `count` come from the same synchronous step, so they never disagree. */
  append(identity: CertificateIdentity, temperature: number, timeMs: number): AppendResult {
    const receivedAtMs = Date.now();
    const { count } = this.sql
      .exec<{ count: number }>(
        `INSERT INTO certificate (id, fingerprint, serial, ski, count) VALUES (1, ?, ?, ?, 1)
         ON CONFLICT (id) DO UPDATE SET count = count + 1 RETURNING count`,
        identity.fingerprint,
        identity.serial,
        identity.ski,
      )
      .one();
    const { seq } = this.sql
      .exec<{ seq: number }>(
        'INSERT INTO readings (temperature, time_ms, received_at) VALUES (?, ?, ?) RETURNING seq',
        temperature,
        timeMs,
        receivedAtMs,
      )
      .one();
    return { seq, count, receivedAtMs };
  }

  /** The newest readings by the device's own time (the seed sorted by `time`), ties broken by arrival. */
  recent(limit: number): StoredReading[] {
    return this.sql
      .exec<ReadingRow>(
        'SELECT seq, temperature, time_ms, received_at FROM readings ORDER BY time_ms DESC, seq DESC LIMIT ?',
        limit,
      )
      .toArray()
      .map(toReading);
  }

  /** Readings with seq > after, oldest first: an incremental pull resumes from the last seq it saw. */
  since(after: number, limit: number): { readings: StoredReading[]; hasMore: boolean } {
    const rows = this.sql
      .exec<ReadingRow>(
        'SELECT seq, temperature, time_ms, received_at FROM readings WHERE seq > ? ORDER BY seq LIMIT ?',
        after,
        limit + 1,
      )
      .toArray();
    return { readings: rows.slice(0, limit).map(toReading), hasMore: rows.length > limit };
  }

  /**
   * min/max/avg/count per bucket over [fromMs, toMs) by the device's time. Bucket i holds times t with
   * floor((t - from) * n / span) = i, computed in SQLite's integer arithmetic; empty buckets are returned too
   * so a chart can show gaps.
   */
  buckets(fromMs: number, toMs: number, n: number): Bucket[] {
    const span = toMs - fromMs;
    const rows = this.sql
      .exec<{ b: number; count: number; min: number; max: number; avg: number }>(
        // CASTs keep the arithmetic in integers whatever type the bindings arrive as.
        `SELECT (CAST(time_ms - ? AS INTEGER) * CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS b,
                count(*) AS count, min(temperature) AS min, max(temperature) AS max, avg(temperature) AS avg
         FROM readings WHERE time_ms >= ? AND time_ms < ? GROUP BY b ORDER BY b`,
        fromMs,
        n,
        span,
        fromMs,
        toMs,
      )
      .toArray();
    const byIndex = new Map(rows.map((r) => [r.b, r]));
    const boundary = (i: number) => fromMs + Math.ceil((i * span) / n);
    return Array.from({ length: n }, (_, i) => {
      const r = byIndex.get(i);
      return {
        start: new Date(boundary(i)).toISOString(),
        end: new Date(boundary(i + 1)).toISOString(),
        count: r?.count ?? 0,
        min: r?.min ?? null,
        max: r?.max ?? null,
        avg: r ? Math.round(r.avg * 1000) / 1000 : null,
      };
    });
  }
}

function toReading(r: ReadingRow): StoredReading {
  return {
    seq: r.seq,
    temperature: r.temperature,
    time: formatTime(r.time_ms),
    receivedAt: new Date(r.received_at).toISOString(),
  };
}
