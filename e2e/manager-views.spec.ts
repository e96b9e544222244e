import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { cloudflareStatus, seededDevice, sql } from './inventory';

// A MANAGER sees devices and certificates but is offered no revoke (or renew) control, and the server
// refuses a revocation posted directly to the API.

test('[MANAGER][VIEW]: sees devices and certificates with no revoke control anywhere', async ({ page }) => {
  const device = await seededDevice('greenhouse-04');
  const [{ devices }] = await sql<{ devices: number }>('SELECT count(*)::int AS devices FROM "Device" WHERE NOT "isCanary"');
  await signIn(page, 'MANAGER');

  await page.goto('/devices');
  const devicesTable = page.getByRole('table', { name: 'Devices' });
  await expect(devicesTable.getByRole('link', { name: 'cold-storage-01', exact: true })).toBeVisible();
  await expect(page.getByText(new RegExp(`of ${devices}$`))).toBeVisible();
  await expect(devicesTable.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Enroll device' })).toHaveCount(0);

  await page.goto(`/devices/${device.deviceId}`);
  await expect(page.getByRole('heading', { name: device.deviceName, level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Certificates of this device' })).toContainText(device.serialNumber);
  await expect(page.getByRole('img', { name: /Temperature over the last 24 hours/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  // Exact: the sidebar's "Renewal planner" is for managers too.
  await expect(page.getByRole('link', { name: 'Renew', exact: true })).toHaveCount(0);

  await page.goto('/certificates');
  const certificatesTable = page.getByRole('table', { name: 'Certificates' });
  await expect(certificatesTable.locator('tbody tr').first()).toBeVisible();
  await expect(certificatesTable.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Revoke/ })).toHaveCount(0);

  await page.goto(`/certificates/${device.certificateId}`);
  await expect(page.getByTestId('certificate-pem')).toContainText('-----BEGIN CERTIFICATE-----');
  await expect(page.getByRole('button', { name: /Revoke|Undo/ })).toHaveCount(0);
});

test('[MANAGER][API]: a direct POST to revoke is refused with 403 and changes nothing', async ({ page }) => {
  const device = await seededDevice('greenhouse-04');
  await signIn(page, 'MANAGER');
  const before = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "targetId" = $1`, [device.certificateId]);

  const response = await page.request.post(`/api/certificates/${device.certificateId}/revoke`, { data: { reason: 'KEY_COMPROMISE' } });
  expect(response.status()).toBe(403);
  expect(await response.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'You do not have permission to revoke certificates.' } });
  const undo = await page.request.post(`/api/certificates/${device.certificateId}/reactivate`);
  expect(undo.status()).toBe(403);

  expect(await cloudflareStatus(device.cloudflareId)).toBe('active');
  const [row] = await sql<{ status: string }>('SELECT status FROM "Certificate" WHERE id = $1', [device.certificateId]);
  expect(row?.status).toBe('ACTIVE');
  expect(await sql(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "targetId" = $1`, [device.certificateId])).toEqual(before);

  // The route itself works: reading the same certificate through the API is allowed.
  const read = await page.request.get(`/api/certificates/${device.certificateId}`);
  expect(read.status()).toBe(200);
  expect(await read.json()).toMatchObject({ id: device.certificateId, status: 'ACTIVE' });
});
