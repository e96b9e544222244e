// The raw scan for "readings that should not exist": every reading of the range, grouped. This was
// findReadingFlags() before the rollups (migration reading_flag_rollups); it stays as the oracle the tests hold
// the rollup-based findReadingFlags() to (lib/readings/flags.test.ts), and is never on a page's path.

import type { SqlRunner } from './buckets';
import { toReadingFlag, type ReadingFlag } from './flags';

/**
 * Flags over [from, to) from every raw reading in the range: what findReadingFlags() must return, exactly.
 */
export async function scanReadingFlags(run: SqlRunner, q: { from: Date; to: Date; deviceId?: string }): Promise<ReadingFlag[]> {
  const values: unknown[] = [q.from.toISOString(), q.to.toISOString()];
  let ofDevice = '';
  let ofDeviceFingerprints = '';
  if (q.deviceId) {
    values.push(q.deviceId);
    ofDevice = `AND r."deviceId" = $3`;
    // The fingerprints this device posted with in the range; every device that used them counts for "shared".
    ofDeviceFingerprints = `AND r."certificateFingerprint" IN (
        SELECT DISTINCT "certificateFingerprint" FROM "Reading"
         WHERE "deviceId" = $3 AND "time" >= $1::timestamptz AND "time" < $2::timestamptz)`;
  }
  const inRange = `r."time" >= $1::timestamptz AND r."time" < $2::timestamptz AND r."certificateFingerprint" <> ''`;
  // "unknown" and "shared" come from ONE pass over the range's readings, aggregated per (fingerprint, device):
  // that pass is the whole cost, and the aggregate is a few rows per certificate. "revoked" starts from the
  // revoked certificates instead (few) and reads only their readings through the fingerprint index.
  const text = `
    WITH per AS (
      SELECT r."certificateFingerprint" AS fingerprint, r."deviceId", count(*) AS n, min(r."time") AS first, max(r."time") AS last
        FROM "Reading" r
       WHERE ${inRange} ${ofDeviceFingerprints}
       GROUP BY 1, 2
    ), owned AS (
      SELECT per.*, c."id" IS NOT NULL AS known, c."deviceId" AS owner
        FROM per LEFT JOIN "Certificate" c ON c."fingerprintSha256" = per.fingerprint
    )
    SELECT 'unknown' AS kind, fingerprint, sum(n)::int AS readings, min(first) AS first, max(last) AS last,
           array_remove(array_agg(DISTINCT "deviceId"), NULL) AS "deviceIds", NULL::text AS "certificateDeviceId"
      FROM owned
     WHERE NOT known ${q.deviceId ? 'AND "deviceId" = $3' : ''}
     GROUP BY fingerprint
    UNION ALL
    SELECT 'shared', fingerprint, sum(n)::int, min(first), max(last), array_agg(DISTINCT "deviceId"), owner
      FROM owned
     WHERE known AND "deviceId" IS NOT NULL
     GROUP BY fingerprint, owner
    HAVING count(DISTINCT "deviceId") > 1 OR bool_or(owner IS NOT NULL AND owner <> "deviceId")
    UNION ALL
    SELECT 'revoked', r."certificateFingerprint", count(*)::int, min(r."time"), max(r."time"),
           array_remove(array_agg(DISTINCT r."deviceId"), NULL), c."deviceId"
      FROM "Certificate" c
      JOIN "Reading" r ON r."certificateFingerprint" = c."fingerprintSha256"
     WHERE c."status" = 'REVOKED' AND c."revocationEffectiveAt" IS NOT NULL AND r."receivedAt" >= c."revocationEffectiveAt"
       AND ${inRange} ${ofDevice}
     GROUP BY r."certificateFingerprint", c."deviceId"
     ORDER BY kind, last DESC`;
  return (await run(text, values)).map(toReadingFlag);
}

