import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// `npm start -- --fleet N`: a generated fleet beside the demo's, in a real database, read through the
// app's own list functions (so the read models the triggers keep are proven filled too).
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { findDevices } = await import('@/lib/data/devices');
const { findCertificates } = await import('@/lib/data/certificates');
const { getFleetOverview } = await import('@/lib/data/overview');
const { parseCertificateListSearch, parseDeviceListSearch } = await import('@/lib/validation/inventory');
const { seedDemo } = await import('@/prisma/seed');
const { fleetSizes, generatedFleetSize, generateFleet } = await import('./scale-fleet');

const manager: SessionUser = { id: 'u-m', email: 'manager@scale.test', name: 'M', role: 'MANAGER' };

let t: TestDatabase;
let client: pg.Client;
let demoDevices = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  holder.prisma = t.prisma;
  demoDevices = (await seedDemo(t.prisma)).devices;
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await t?.stop();
});

describe('generated fleet', () => {
  it('adds N devices beside the demo fleet, each with a current certificate the lists find', async () => {
    expect(demoDevices).toBeGreaterThan(0);
    expect(await generatedFleetSize(client)).toBe(0);
    const sizes = fleetSizes(500);
    expect(sizes).toEqual({ devices: 500, certificates: 1250, auditEvents: 5000 });
    await generateFleet(client, sizes, () => {});

    expect(await generatedFleetSize(client)).toBe(500);
    const all = await findDevices(manager, parseDeviceListSearch({}));
    expect(all.total).toBe(demoDevices + 500);

    const one = await findDevices(manager, parseDeviceListSearch({ q: 'sensor-000042' }));
    expect(one.rows.map((r) => r.name)).toEqual(['sensor-000042']);
    expect(one.rows[0]!.group).toBe('group-42');
    expect(one.rows[0]!.certificate).toMatchObject({ id: 'c42', status: 'ACTIVE' });

    // Its current certificate is findable by the serial the generator gave it, in the colon format people paste.
    const serial = (await client.query<{ s: string }>(`SELECT "serialNumber" AS s FROM "Certificate" WHERE id = 'c42'`)).rows[0]!.s;
    const bySerial = await findCertificates(manager, parseCertificateListSearch({ q: serial.match(/.{1,2}/g)!.join(':').toLowerCase() }));
    expect(bySerial.rows.map((r) => r.id)).toEqual(['c42']);

    const group = await findDevices(manager, parseDeviceListSearch({ group: 'group-07' }));
    expect(group.total).toBe(10);

    // The Overview's device counts (DeviceCount, kept by triggers) took the generated fleet in.
    const overview = await getFleetOverview(manager);
    expect(overview.devices.total).toBe(demoDevices + 500);
    expect(overview.devices.byGroup.find((g) => g.group === 'group-07')?.count).toBe(10);
  });
});
