import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import type { SqlRunner } from './buckets';
import { csvFileName, csvLine, readingsCsvStream } from './csv';
import { createTestDevice } from './test-factories';

let testDb: TestDatabase;
let run: SqlRunner;

beforeAll(async () => {
  testDb = await createTestDatabase();
  run = (text, values) => testDb.prisma.$queryRawUnsafe(text, ...values);
});
afterAll(async () => {
  await testDb?.stop();
});

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

describe('readings CSV', () => {
  it('equals the raw readings of a device over a range, across many pages, ties included', async () => {
    const device = await createTestDevice(testDb.prisma, { name: `freezer "north", bay ${Date.now()}` });
    const other = await createTestDevice(testDb.prisma);
    const from = new Date(Date.UTC(2026, 0, 10, 0, 0, 0));
    // 103 readings a minute apart, three of them sharing one instant (keyset paging must not skip or repeat ties),
    // temperatures with awkward binary fractions, and readings just outside the range on both sides.
    await testDb.prisma.$executeRaw`
      INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature", "workerSeq", "receivedAt")
      SELECT ${device.id}, 'fp-csv', ${from}::timestamptz + (g * interval '1 minute'), (g * 0.1) - 3.3, g, ${from}::timestamptz + (g * interval '1 minute') + interval '1.234 seconds'
        FROM generate_series(0, 99) AS g`;
    await testDb.prisma.$executeRaw`
      INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature")
      VALUES (${device.id}, 'fp-csv-tie', ${new Date(from.getTime() + 5 * 60_000)}, 1e-7),
             (${device.id}, 'fp-csv-tie', ${new Date(from.getTime() + 5 * 60_000)}, 123456.789),
             (${device.id}, 'fp-csv-tie', ${new Date(from.getTime() + 5 * 60_000)}, -0.30000000000000004),
             (${device.id}, 'fp-csv', ${new Date(from.getTime() - 1)}, 9),
             (${device.id}, 'fp-csv', ${new Date(from.getTime() + 100 * 60_000)}, 9),
             (${other.id}, 'fp-csv-other', ${new Date(from.getTime() + 60_000)}, 9)`;
    const to = new Date(from.getTime() + 100 * 60_000);

    const csv = await text(readingsCsvStream(run, { from, to, deviceIds: [device.id] }, 7));
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(['time', 'device_id', 'device_name', 'certificate_fingerprint', 'temperature', 'worker_seq', 'received_at']);

    const raw = await testDb.prisma.reading.findMany({
      where: { deviceId: device.id, time: { gte: from, lt: to } },
      orderBy: [{ time: 'asc' }, { id: 'asc' }],
    });
    expect(raw).toHaveLength(103);
    expect(rows).toEqual(
      raw.map((r) => [
        r.time.toISOString(),
        device.id,
        device.name,
        r.certificateFingerprint,
        String(r.temperature),
        r.workerSeq === null ? '' : String(r.workerSeq),
        r.receivedAt.toISOString(),
      ]),
    );
    // Values survive the trip exactly.
    expect(rows.map((r) => Number(r[4]))).toEqual(raw.map((r) => r.temperature));
  });

  it('exports the whole fleet over a range, unlinked readings included', async () => {
    const from = new Date(Date.UTC(2026, 1, 1));
    const to = new Date(from.getTime() + 3_600_000);
    const device = await createTestDevice(testDb.prisma);
    await testDb.prisma.$executeRaw`
      INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature")
      VALUES (${device.id}, 'fp-fleet', ${new Date(from.getTime() + 1000)}, 5), (NULL, 'fp-unknown', ${new Date(from.getTime() + 2000)}, 6)`;
    const rows = parseCsv(await text(readingsCsvStream(run, { from, to })));
    expect(rows.slice(1).map((r) => [r[1], r[3], r[4]])).toEqual([
      [device.id, 'fp-fleet', '5'],
      ['', 'fp-unknown', '6'],
    ]);
  });

  it('writes only a header for an empty range, and quotes what needs quoting', async () => {
    const from = new Date(Date.UTC(2000, 0, 1));
    expect(await text(readingsCsvStream(run, { from, to: new Date(from.getTime() + 1000) }))).toBe(csvLine(['time', 'device_id', 'device_name', 'certificate_fingerprint', 'temperature', 'worker_seq', 'received_at']));
    expect(csvLine(['a,b', 'say "hi"', 'plain'])).toBe('"a,b","say ""hi""",plain\r\n');
    expect(csvFileName('cold storage/03', from, new Date(Date.UTC(2000, 0, 2, 6, 30)))).toBe('readings_cold-storage-03_20000101-0000_20000102-0630.csv');
  });
});
