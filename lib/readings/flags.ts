// Readings that should not exist, over a time range, read from rollups kept as readings are pulled:
//
//   unknown  the fingerprint matches no certificate certfleet issued or recorded: something presented a certificate
//            the zone's CA signed that we have no row for (issued outside certfleet, or our records are behind).
//   revoked  the certificate was REVOKED when the Worker received the reading (Reading.receivedAt ≥ the moment
//            the revocation took effect, Certificate.revocationEffectiveAt; the Worker's clock, which a device
//            cannot set): the edge should have refused it, so either the revocation had not reached the edge yet
//            or the key is in someone else's hands. Readings received while the revocation was still pending
//            (after revokedAt, before it took effect) are the device's: the edge rightly accepted them.
//   shared   one certificate's readings are linked to more than one device, or to a device other than the one the
//            certificate belongs to now: a key copied onto a second sensor, or a certificate moved between devices.
//
// Seeded history without a certificate (fingerprint '') is never flagged: it never went through the edge.

import type { SqlRunner } from './buckets';

export type FlagKind = 'unknown' | 'revoked' | 'shared';

export interface ReadingFlag {
  kind: FlagKind;
  fingerprint: string;
  /** Readings in the range that the flag covers. */
  readings: number;
  first: Date;
  last: Date;
  /** Devices those readings are linked to (ids). */
  deviceIds: string[];
  /** The device the certificate belongs to now, when certfleet knows the certificate. */
  certificateDeviceId: string | null;
}

export const FLAG_DESCRIPTIONS: Record<FlagKind, string> = {
  unknown: 'from a certificate certfleet has no record of',
  revoked: 'received after its certificate was revoked',
  shared: 'one certificate posting for more than one device',
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Flags over [from, to). With `deviceId`, only flags that involve that device's readings (for the device page);
 * without, the whole fleet's (for the fleet view).
 *
 * Read from the rollups the pull's transaction keeps (migrations reading_flag_rollups, reading_flag_days), never
 * from every reading: `ReadingSuspect` holds the few certificates that can have a flag at all over all time (kept
 * by triggers on ReadingSource and Certificate, migration reading_suspects); their `ReadingSource` rows (per
 * certificate fingerprint and device, all time), joined with "Certificate" now, pick those of the range; `ReadingFlagDay` (per fingerprint,
 * device and UTC day) gives their counts and first/last times for the range's whole days, `ReadingFlagHour` for
 * the whole hours beside them, and the raw rows only the two cut hours at its ends: ~90 day rows and at most 46
 * hour rows per certificate and device for 90 days, instead of ~2,160 hours.
 * "revoked" compares each reading's receivedAt with the revocation: a day or hour whose readings were all received
 * after it counts whole, one all received before counts nothing; a day received across it is counted from its
 * hours, and the hour the revocation falls in (its first and last receivedAt straddle it) from its raw rows. So the
 * result is exactly the raw scan's (scanReadingFlags in flags-scan.ts, which the tests hold this to).
 */
export async function findReadingFlags(run: SqlRunner, q: { from: Date; to: Date; deviceId?: string }): Promise<ReadingFlag[]> {
  // Whole hours [lo, hi) from the rollups; [from, lo) and [hi, to) from raw rows. Within one hour: all raw.
  let lo = Math.ceil(q.from.getTime() / HOUR_MS) * HOUR_MS;
  let hi = Math.floor(q.to.getTime() / HOUR_MS) * HOUR_MS;
  if (lo > hi) lo = hi = q.to.getTime();
  // Of those, whole days [dayLo, dayHi) from the days and the hours around them from the hours. No whole day: all hours.
  let dayLo = Math.ceil(lo / DAY_MS) * DAY_MS;
  let dayHi = Math.floor(hi / DAY_MS) * DAY_MS;
  if (dayLo >= dayHi) dayLo = dayHi = hi;
  const values: unknown[] = [q.from.getTime(), q.to.getTime(), lo, hi, dayLo, dayHi].map((t) => new Date(t).toISOString());
  if (q.deviceId) values.push(q.deviceId);
  const device = q.deviceId ? '$7' : null;
  const overlaps = `"first" < $2::timestamptz AND "last" >= $1::timestamptz`;
  const cut = (t: string) => `((${t} >= $1::timestamptz AND ${t} < $3::timestamptz) OR (${t} >= $4::timestamptz AND ${t} < $2::timestamptz))`;
  const text = `
    WITH src AS (
      -- (fingerprint, device) pairs with readings in the range's span; on a device's page, every pair of the
      -- certificates that device posted with (all their devices count for "shared").
      -- Only the suspects (ReadingSuspect, kept by triggers): the certificates that can have a flag over all time.
      SELECT "fingerprint", "deviceId", "lastReceivedAt" FROM "ReadingSource"
       WHERE ${overlaps} AND "fingerprint" IN (SELECT "fingerprint" FROM "ReadingSuspect")
       ${device ? `AND "fingerprint" IN (SELECT "fingerprint" FROM "ReadingSource" WHERE "deviceId" = ${device} AND ${overlaps})` : ''}
    ), cand AS MATERIALIZED (
      -- The certificates that can have a flag: unknown, posting for another device or for several, or posting
      -- after their revocation took effect (all time, so a superset of the range's; the range decides below).
      SELECT src."fingerprint", c."id" IS NOT NULL AS known, c."deviceId" AS owner,
             CASE WHEN c."status" = 'REVOKED' THEN c."revocationEffectiveAt" END AS effective
        FROM src LEFT JOIN "Certificate" c ON c."fingerprintSha256" = src."fingerprint"
       GROUP BY src."fingerprint", c."id", c."deviceId", c."status", c."revocationEffectiveAt"
      HAVING c."id" IS NULL
          OR count(*) FILTER (WHERE src."deviceId" <> '') > 1
          OR bool_or(src."deviceId" <> '' AND c."deviceId" IS NOT NULL AND src."deviceId" <> c."deviceId")
          OR (c."status" = 'REVOKED' AND c."revocationEffectiveAt" IS NOT NULL AND max(src."lastReceivedAt") >= c."revocationEffectiveAt")
    ), pairs AS (
      SELECT src."fingerprint", src."deviceId" FROM src WHERE src."fingerprint" IN (SELECT "fingerprint" FROM cand)
    ), cells AS (
      -- "span" is the cell's width: a day, an hour, or NULL for one raw reading.
      SELECT f."fingerprint", f."deviceId", f."day" AS at, interval '1 day' AS span, f."count" AS n, f."first", f."last",
             f."firstReceivedAt" AS rmin, f."lastReceivedAt" AS rmax
        FROM cand JOIN "ReadingFlagDay" f ON f."fingerprint" = cand."fingerprint" AND f."day" >= $5::timestamptz AND f."day" < $6::timestamptz
      UNION ALL
      -- The whole hours before the first whole day and after the last (two ranges, so each is one index range).
      SELECT f."fingerprint", f."deviceId", f."hour", interval '1 hour', f."count", f."first", f."last", f."firstReceivedAt", f."lastReceivedAt"
        FROM cand JOIN "ReadingFlagHour" f ON f."fingerprint" = cand."fingerprint" AND f."hour" >= $3::timestamptz AND f."hour" < $5::timestamptz
      UNION ALL
      SELECT f."fingerprint", f."deviceId", f."hour", interval '1 hour', f."count", f."first", f."last", f."firstReceivedAt", f."lastReceivedAt"
        FROM cand JOIN "ReadingFlagHour" f ON f."fingerprint" = cand."fingerprint" AND f."hour" >= $6::timestamptz AND f."hour" < $4::timestamptz
      UNION ALL
      -- The cut hours, reading by reading (through the (deviceId, time) index, or "time" for readings of no device).
      SELECT p."fingerprint", p."deviceId", NULL, NULL, 1, r."time", r."time", r."receivedAt", r."receivedAt"
        FROM pairs p JOIN "Reading" r ON r."deviceId" = p."deviceId" AND r."certificateFingerprint" = p."fingerprint" AND ${cut('r."time"')}
       WHERE p."deviceId" <> ''
      UNION ALL
      SELECT p."fingerprint", '', NULL, NULL, 1, r."time", r."time", r."receivedAt", r."receivedAt"
        FROM pairs p JOIN "Reading" r ON r."deviceId" IS NULL AND r."certificateFingerprint" = p."fingerprint" AND ${cut('r."time"')}
       WHERE p."deviceId" = ''
    ), per AS (
      SELECT "fingerprint", "deviceId", sum(n) AS n, min("first") AS first, max("last") AS last FROM cells GROUP BY 1, 2
    ), owned AS (
      SELECT per.*, cand.known, cand.owner FROM per JOIN cand USING ("fingerprint")
      ${device ? `WHERE per."fingerprint" IN (SELECT "fingerprint" FROM per WHERE "deviceId" = ${device})` : ''}
    ), across AS MATERIALIZED (
      -- Days and hours received across the revocation (at most a few per certificate and device)...
      SELECT cells."fingerprint", cells."deviceId", cells.at, cells.span, cand.effective
        FROM cells JOIN cand USING ("fingerprint")
       WHERE cells.span IS NOT NULL AND cells.rmin < cand.effective AND cells.rmax >= cand.effective
    ), across_hours AS (
      -- ... each such day as its hours.
      SELECT f."fingerprint", f."deviceId", f."hour", f."count" AS n, f."first", f."last", f."firstReceivedAt" AS rmin, f."lastReceivedAt" AS rmax, a.effective
        FROM across a JOIN "ReadingFlagHour" f ON f."fingerprint" = a."fingerprint" AND f."deviceId" = a."deviceId"
         AND f."hour" >= a.at AND f."hour" < a.at + interval '1 day'
       WHERE a.span = interval '1 day'
    ), straddling AS MATERIALIZED (
      SELECT "fingerprint", "deviceId", at AS "hour", effective FROM across WHERE span = interval '1 hour'
      UNION ALL
      SELECT "fingerprint", "deviceId", "hour", effective FROM across_hours WHERE rmin < effective AND rmax >= effective
    ), late AS (
      -- Readings received once the revocation had taken effect: whole days and hours received after it, the
      -- hours of days received across it that were received after it, single readings...
      SELECT cells."fingerprint", cells."deviceId", cells.n, cells."first", cells."last"
        FROM cells JOIN cand USING ("fingerprint")
       WHERE cand.effective IS NOT NULL AND cells.rmin >= cand.effective
      UNION ALL
      SELECT "fingerprint", "deviceId", n, "first", "last" FROM across_hours WHERE rmin >= effective
      UNION ALL
      -- ... and, of the hours received across it, the raw readings received after it: the hour's readings of its
      -- device through the (deviceId, time) index (OFFSET 0 keeps the fingerprint test out of the index scan: a
      -- certificate's whole history is far more rows than one device-hour).
      SELECT s."fingerprint", s."deviceId", 1, r."time", r."time"
        FROM straddling s CROSS JOIN LATERAL (
               SELECT "certificateFingerprint", "time", "receivedAt" FROM "Reading"
                WHERE "deviceId" = nullif(s."deviceId", '') AND "time" >= s."hour" AND "time" < s."hour" + interval '1 hour' OFFSET 0) r
       WHERE s."deviceId" <> '' AND r."certificateFingerprint" = s."fingerprint" AND r."receivedAt" >= s.effective
      UNION ALL
      SELECT s."fingerprint", '', 1, r."time", r."time"
        FROM straddling s CROSS JOIN LATERAL (
               SELECT "certificateFingerprint", "time", "receivedAt" FROM "Reading"
                WHERE "deviceId" IS NULL AND "time" >= s."hour" AND "time" < s."hour" + interval '1 hour' OFFSET 0) r
       WHERE s."deviceId" = '' AND r."certificateFingerprint" = s."fingerprint" AND r."receivedAt" >= s.effective
    )
    SELECT 'unknown' AS kind, "fingerprint", sum(n)::int AS readings, min(first) AS first, max(last) AS last,
           array_remove(array_agg(DISTINCT nullif("deviceId", '')), NULL) AS "deviceIds", NULL::text AS "certificateDeviceId"
      FROM owned
     WHERE NOT known ${device ? `AND "deviceId" = ${device}` : ''}
     GROUP BY "fingerprint"
    UNION ALL
    SELECT 'shared', "fingerprint", sum(n)::int, min(first), max(last), array_agg(DISTINCT "deviceId"), owner
      FROM owned
     WHERE known AND "deviceId" <> ''
     GROUP BY "fingerprint", owner
    HAVING count(DISTINCT "deviceId") > 1 OR bool_or(owner IS NOT NULL AND owner <> "deviceId")
    UNION ALL
    SELECT 'revoked', late."fingerprint", sum(late.n)::int, min(late.first), max(late.last),
           array_remove(array_agg(DISTINCT nullif(late."deviceId", '')), NULL), cand.owner
      FROM late JOIN cand USING ("fingerprint")
     ${device ? `WHERE late."deviceId" = ${device}` : ''}
     GROUP BY late."fingerprint", cand.owner
     ORDER BY kind, last DESC`;
  return (await run(text, values)).map(toReadingFlag);
}

/** One row of a flags query (this one's or the raw scan's) as a ReadingFlag. */
export function toReadingFlag(row: Record<string, unknown>): ReadingFlag {
  return {
    kind: row.kind as FlagKind,
    fingerprint: String(row.fingerprint),
    readings: Number(row.readings),
    first: new Date(row.first as string | Date),
    last: new Date(row.last as string | Date),
    deviceIds: parseTextArray(row.deviceIds),
    certificateDeviceId: row.certificateDeviceId == null ? null : String(row.certificateDeviceId),
  };
}

/** Drivers return text[] as an array, or (some paths) as the literal '{a,b}'. */
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value.startsWith('{')) {
    const inner = value.slice(1, -1);
    return inner ? inner.split(',').map((s) => s.replace(/^"|"$/g, '')) : [];
  }
  return [];
}
