import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';

// These run on the vitest run's shared test database (lib/testing/global-setup.ts), through the app's
// own client, so rows are made unique per test rather than cleaned up.

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function certificate(overrides: Partial<Prisma.CertificateCreateInput> = {}): Prisma.CertificateCreateInput {
  const now = new Date();
  return {
    cloudflareId: hex(16),
    serialNumber: hex(16).toUpperCase(),
    ski: hex(20),
    fingerprintSha256: hex(32),
    commonName: `schema-test-${hex(4)}`,
    keyType: 'ecdsa',
    keySize: 256,
    issuedOn: now,
    expiresOn: new Date(now.getTime() + 365 * 86_400_000),
    validityDays: 365,
    pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    csr: '-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n',
    ...overrides,
  };
}

async function uniqueViolation(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  expect((error as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
  return (error as Error).message;
}

describe('the migrated schema', () => {
  it('is the test database, not the one DATABASE_URL named before the run', async () => {
    const [{ name }] = await db().$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
    if (process.env.CERTFLEET_TEST_SERVER_URL) expect(name).toMatch(/^certfleet_t_[0-9a-f]+$/);
    else expect(name).toBe('postgres'); // an in-memory PGlite serves only "postgres"
  });

  it.each(['serialNumber', 'ski', 'fingerprintSha256', 'cloudflareId'] as const)(
    'refuses a second certificate with the same %s',
    async (field) => {
      const first = await db().certificate.create({ data: certificate() });
      const message = await uniqueViolation(db().certificate.create({ data: certificate({ [field]: first[field] }) }));
      expect(message).toContain(field);
      expect(await db().certificate.count({ where: { [field]: first[field] } })).toBe(1);
    },
  );

  it('keeps AuditEvent append-only: inserts pass, UPDATE, DELETE and TRUNCATE are refused', async () => {
    const action = `schema-test.${hex(4)}`;
    const event = await db().auditEvent.create({
      data: { actorEmail: 'admin@certfleet.local', action, targetType: 'test', reason: 'original' },
    });

    await expect(db().auditEvent.update({ where: { id: event.id }, data: { reason: 'rewritten' } })).rejects.toThrow(
      /AuditEvent is append-only: UPDATE is not allowed/,
    );
    await expect(db().auditEvent.delete({ where: { id: event.id } })).rejects.toThrow(
      /AuditEvent is append-only: DELETE is not allowed/,
    );
    await expect(db().$executeRaw`DELETE FROM "AuditEvent" WHERE action = ${action}`).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe('TRUNCATE "AuditEvent"')).rejects.toThrow(
      /AuditEvent is append-only: TRUNCATE is not allowed/,
    );

    expect(await db().auditEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ reason: 'original', action });
  });

  it('lets readings without a Worker sequence (seeded history) share a fingerprint, but not a sequence', async () => {
    const device = await db().device.create({ data: { name: `schema-test-${hex(4)}`, group: 'lab', commonName: 'x' } });
    const fingerprint = hex(32);
    const time = new Date();
    await db().reading.createMany({
      data: [
        { deviceId: device.id, certificateFingerprint: fingerprint, time, temperature: 4 },
        { deviceId: device.id, certificateFingerprint: fingerprint, time, temperature: 5 },
        { deviceId: device.id, certificateFingerprint: fingerprint, time, temperature: 6, workerSeq: 1n },
      ],
    });
    await uniqueViolation(
      db().reading.create({ data: { deviceId: device.id, certificateFingerprint: fingerprint, time, temperature: 7, workerSeq: 1n } }),
    );
  });
});
