// Readings that should not exist, found in SQL over a time range:
//
//   unknown  the fingerprint matches no certificate certfleet issued or recorded: something presented a certificate
//            the zone's CA signed that we have no row for (issued outside certfleet, or our records are behind).
//   revoked  the certificate was REVOKED when the Worker received the reading (Reading.receivedAt ≥ revokedAt,
//            the Worker's clock, which a device cannot set): the edge should have refused it, so either the
//            revocation had not reached the edge yet or the key is in someone else's hands.
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
    // Fingerprints this device posted with in the range; "shared" then looks at every device that used them.
    ofDeviceFingerprints = `AND r."certificateFingerprint" IN (
        SELECT DISTINCT "certificateFingerprint" FROM "Reading"
         WHERE "deviceId" = $3 AND "time" >= $1::timestamptz AND "time" < $2::timestamptz)`;
  }
  const inRange = `r."time" >= $1::timestamptz AND r."time" < $2::timestamptz AND r."certificateFingerprint" <> ''`;
  const text = `
    SELECT 'unknown' AS kind, r."certificateFingerprint" AS fingerprint, count(*)::int AS readings,
           min(r."time") AS first, max(r."time") AS last,
           array_remove(array_agg(DISTINCT r."deviceId"), NULL) AS "deviceIds", NULL::text AS "certificateDeviceId"
      FROM "Reading" r
     WHERE ${inRange} ${ofDevice}
       AND NOT EXISTS (SELECT 1 FROM "Certificate" c WHERE c."fingerprintSha256" = r."certificateFingerprint")
     GROUP BY r."certificateFingerprint"
    UNION ALL
    SELECT 'revoked', r."certificateFingerprint", count(*)::int, min(r."time"), max(r."time"),
           array_remove(array_agg(DISTINCT r."deviceId"), NULL), c."deviceId"
      FROM "Certificate" c
      JOIN "Reading" r ON r."certificateFingerprint" = c."fingerprintSha256"
     WHERE c."status" = 'REVOKED' AND c."revokedAt" IS NOT NULL AND r."receivedAt" >= c."revokedAt"
       AND ${inRange} ${ofDevice}
     GROUP BY r."certificateFingerprint", c."deviceId"
    UNION ALL
    SELECT 'shared', per.fingerprint, sum(per.n)::int, min(per.first), max(per.last),
           array_agg(DISTINCT per."deviceId"), c."deviceId"
      FROM (SELECT r."certificateFingerprint" AS fingerprint, r."deviceId", count(*) AS n,
                   min(r."time") AS first, max(r."time") AS last
              FROM "Reading" r
             WHERE ${inRange} AND r."deviceId" IS NOT NULL ${ofDeviceFingerprints}
             GROUP BY 1, 2) AS per
      LEFT JOIN "Certificate" c ON c."fingerprintSha256" = per.fingerprint
     GROUP BY per.fingerprint, c."deviceId"
    HAVING count(DISTINCT per."deviceId") > 1
        OR bool_or(c."deviceId" IS NOT NULL AND c."deviceId" <> per."deviceId")
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
