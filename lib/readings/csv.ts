// Raw readings as CSV at full resolution, streamed: each page of rows is read with a keyset query
// ((time, id) > last) only when the client has taken the previous one, so a 13-million-row export holds one page
// in memory, and a client that stops reading stops the queries.

import type { SqlRunner } from './buckets';

export const CSV_HEADER = ['time', 'device_id', 'device_name', 'certificate_fingerprint', 'temperature', 'worker_seq', 'received_at'] as const;
export const CSV_PAGE_SIZE = 5000;

export interface CsvFilter {
  from: Date;
  to: Date;
  /** One device's readings, or a set; undefined for every reading in the range (the whole fleet). */
  deviceIds?: readonly string[];
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line (CRLF-terminated, as RFC 4180 says). @see https://www.rfc-editor.org/rfc/rfc4180 */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Readings in [from, to), oldest first (ties by id), as CSV with a header line. */
export function readingsCsvStream(run: SqlRunner, filter: CsvFilter, pageSize = CSV_PAGE_SIZE): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let last: { time: string; id: string } | null = null;
  let done = false;
  const values: unknown[] = [filter.from.toISOString(), filter.to.toISOString()];
  let ofDevices = '';
  if (filter.deviceIds) {
    values.push(filter.deviceIds);
    ofDevices = `AND r."deviceId" = ANY($3::text[])`;
  }
  const next = values.length + 1;

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine(CSV_HEADER)));
    },
    async pull(controller) {
      if (done) return;
      // The plain `time >=` lets the planner walk the time index; the row comparison breaks ties exactly.
      const after = last
        ? `AND r."time" >= $${next}::timestamptz AND (r."time", r."id") > ($${next}::timestamptz, $${next + 1}::bigint)`
        : '';
      // Times come back as text in UTC with milliseconds, so nothing is lost or shifted through a driver.
      const rows = await run(
        `SELECT to_char(r."time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, r."id"::text AS id,
                r."deviceId" AS "deviceId", d."name" AS "deviceName", r."certificateFingerprint" AS fingerprint,
                r."temperature" AS temperature, r."workerSeq"::text AS "workerSeq",
                to_char(r."receivedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt"
           FROM "Reading" r LEFT JOIN "Device" d ON d."id" = r."deviceId"
          WHERE r."time" >= $1::timestamptz AND r."time" < $2::timestamptz ${ofDevices} ${after}
          ORDER BY r."time", r."id"
          LIMIT ${Math.max(1, Math.floor(pageSize))}`,
        last ? [...values, last.time, last.id] : values,
      );
      let chunk = '';
      for (const row of rows) {
        chunk += csvLine([
          String(row.time),
          row.deviceId == null ? '' : String(row.deviceId),
          row.deviceName == null ? '' : String(row.deviceName),
          String(row.fingerprint),
          String(Number(row.temperature)),
          row.workerSeq == null ? '' : String(row.workerSeq),
          String(row.receivedAt),
        ]);
      }
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (rows.length < pageSize) {
        done = true;
        controller.close();
        return;
      }
      const tail = rows.at(-1)!;
      last = { time: String(tail.time), id: String(tail.id) };
    },
  });
}

/** A file name that says what the export holds: readings_<what>_<from>_<to>.csv (UTC, to the minute). */
export function csvFileName(what: string, from: Date, to: Date): string {
  const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const safe = what.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'readings';
  return `readings_${safe}_${stamp(from)}_${stamp(to)}.csv`;
}
