import type pg from 'pg';

/*
 * A generated fleet for seeing certfleet at size (`npm start -- --fleet 100000`) and for the inventory benchmark
 * (bench/inventory.ts): devices in 50 groups, each with a current certificate, older superseded or revoked
 * certificates, and audit events, all inserted inside the database with generate_series (never row by row from
 * Node) and through the same triggers every write goes through, so the read models are kept by them.
 *
 * Ids, names and identifiers are derived from the row number (`d<n>`, `sensor-000001`, `cf<n>`), so they never
 * collide with the demo's (cuid ids, named devices, Cloudflare's UUIDs). The certificates exist only in
 * certfleet's database: the local Cloudflare has never issued them, so its reconcile reports them missing, at
 * most 200 a run.
 */

export interface FleetSizes {
  devices: number;
  certificates: number;
  auditEvents: number;
}

/** Sizes in the benchmark's proportions: 2.5 certificates and 10 audit events per device. */
export function fleetSizes(devices: number): FleetSizes {
  return { devices, certificates: Math.round(devices * 2.5), auditEvents: devices * 10 };
}

const ACTIONS = [
  'certificate.issue', 'certificate.revoke', 'certificate.renew', 'certificate.edge_refused', 'device.create', 'device.update',
  'reconcile.drift', 'readings.pull', 'user.login', 'settings.expiry_bands.update', 'bulk.enroll', 'alert.raised',
];

/** How many generated devices (`d<n>`) the database holds. */
export async function generatedFleetSize(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "Device" WHERE id ~ '^d[0-9]+$'`);
  return Number(rows[0]!.n);
}

/** Inserts the fleet in one pass per table; run it on a database without a generated fleet. */
export async function generateFleet(db: pg.Client, sizes: FleetSizes, log: (line: string) => void): Promise<void> {
  log(`loading ${sizes.devices.toLocaleString('en')} devices`);
  await db.query(
    `INSERT INTO "Device" (id, name, "group", "commonName", status, "reportIntervalSec", "lastSeenAt", "minTemperature", "maxTemperature", "createdAt", "updatedAt")
     SELECT 'd' || g, 'sensor-' || lpad(g::text, 6, '0'), 'group-' || lpad((g % 50)::text, 2, '0'), 'sensor-' || g || '.fleet.example',
            'ACTIVE', 60,
            CASE WHEN g % 100 = 0 THEN NULL ELSE now() AT TIME ZONE 'UTC' - (g % 5000) * interval '1 minute' END,
            CASE WHEN g % 10 = 0 THEN 2 END, CASE WHEN g % 10 = 0 THEN 8 END,
            now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
       FROM generate_series(1, $1::int) g`,
    [sizes.devices],
  );
  // Serials as stored (upper-case hex, no leading zero, 16 bytes), SKIs 20 bytes, fingerprints 32 bytes.
  const certificates = (extra: string) => `
    INSERT INTO "Certificate" (id, "cloudflareId", "deviceId", "serialNumber", ski, "fingerprintSha256", "commonName", "keyType", "keySize",
                               "issuedOn", "expiresOn", "validityDays", status, source, pem, csr, "revokedAt", "supersededAt", "createdAt", "updatedAt")
    SELECT 'c' || g, 'cf' || g, 'd' || (1 + (g - 1) % $1::int), upper('4' || substr(md5('s' || g), 2)), md5('k' || g) || substr(md5('l' || g), 1, 8),
           encode(sha256(('f' || g)::bytea), 'hex'), 'sensor-' || (1 + (g - 1) % $1::int) || '.fleet.example', 'ecdsa', 256, ${extra}`;
  log(`loading ${sizes.devices.toLocaleString('en')} current certificates`);
  await db.query(
    `${certificates(`now() AT TIME ZONE 'UTC' - interval '30 days', now() AT TIME ZONE 'UTC' + (1 + g % 400) * interval '1 day' + (g % 24) * interval '1 hour',
        365, 'ACTIVE', 'SEED', '', '', NULL, NULL, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'`)}
       FROM generate_series(1, $1::int) g`,
    [sizes.devices],
  );
  log(`loading ${(sizes.certificates - sizes.devices).toLocaleString('en')} older certificates (superseded or revoked)`);
  await db.query(
    `${certificates(`now() AT TIME ZONE 'UTC' - interval '400 days', now() AT TIME ZONE 'UTC' + (g % 30 - 10) * interval '1 day', 365,
        (CASE WHEN g % 1000 = 0 THEN 'PENDING_REVOCATION' WHEN g % 2 = 0 THEN 'REVOKED' ELSE 'ACTIVE' END)::"CertificateStatus", 'SEED', '', '',
        CASE WHEN g % 2 = 0 THEN now() AT TIME ZONE 'UTC' - (g % 400) * interval '1 day' END,
        CASE WHEN g % 2 = 1 THEN now() AT TIME ZONE 'UTC' - (g % 400) * interval '1 day' END,
        now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'`)}
       FROM generate_series($1::int + 1, $2::int) g`,
    [sizes.devices, sizes.certificates],
  );
  // Each device that has reported gets its last reading (4.0 to 10.9 °C; a tenth of the devices keep 2 to 8 °C
  // limits of their own, so some are outside them), through the triggers that keep the readings' read models.
  log(`loading the devices' latest readings`);
  await db.query(
    `INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", temperature, "receivedAt")
     SELECT d.id, encode(sha256(('f' || substr(d.id, 2))::bytea), 'hex'), d."lastSeenAt" AT TIME ZONE 'UTC',
            4 + (substr(d.id, 2)::int % 70) / 10.0, d."lastSeenAt" AT TIME ZONE 'UTC'
       FROM "Device" d WHERE d.id ~ '^d[0-9]+$' AND d."lastSeenAt" IS NOT NULL`,
  );
  log(`loading ${sizes.auditEvents.toLocaleString('en')} audit events`);
  for (let from = 1; from <= sizes.auditEvents; from += 250_000) {
    await db.query(
      `INSERT INTO "AuditEvent" (at, "actorEmail", action, "targetType", "targetId", "targetLabel")
       SELECT now() AT TIME ZONE 'UTC' - (g % 525600) * interval '1 minute',
              CASE WHEN g % 3 = 0 THEN 'system:' || (ARRAY['reconcile', 'pull', 'renewal', 'edge-proof'])[1 + g % 4] ELSE 'user' || (g % 40) || '@fleet.example' END,
              ($3::text[])[1 + (g * 7) % array_length($3::text[], 1)], 'device', 'd' || (1 + g % $4::int), 'sensor-' || lpad((1 + g % $4::int)::text, 6, '0')
         FROM generate_series($1::int, $2::int) g`,
      [from, Math.min(sizes.auditEvents, from + 249_999), ACTIONS, sizes.devices],
    );
  }
  log('VACUUM ANALYZE');
  await db.query('VACUUM ANALYZE');
}

