// Readings that should not exist, found in SQL over a time range:
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

/**
 * Flags over [from, to). With `deviceId`, only flags that involve that device's readings (for the device page);
 * without, the whole fleet's (for the fleet view).
 */
export async function findReadingFlags(run: SqlRunner, q: { from: Date; to: Date; deviceId?: string }): Promise<ReadingFlag[]> {
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
  const rows = await run(text, values);
  return rows.map((row) => ({
    kind: row.kind as FlagKind,
    fingerprint: String(row.fingerprint),
    readings: Number(row.readings),
    first: new Date(row.first as string | Date),
    last: new Date(row.last as string | Date),
    deviceIds: parseTextArray(row.deviceIds),
    certificateDeviceId: row.certificateDeviceId == null ? null : String(row.certificateDeviceId),
  }));
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
