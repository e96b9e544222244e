import { expect, test } from './fixtures';
import { postReading } from '../lib/devices/simulator';
import { signIn } from './helpers';
import { cloudflareStatus, colons, configureCloudflare, seededDevice, sql } from './inventory';
import { readStack } from './stack';

// SUPPORT finds a seeded device by its SKI as openssl prints it, revokes its certificate with a reason,
// watches Cloudflare's status go from pending to revoked, and sees the proof that the edge now refuses
// the device; then undoes a revocation on another device while it is still pending.

test.describe.configure({ mode: 'serial' });

/** The device's own request at the edge with its key (as the simulator sends it). */
async function deviceRequest(device: { certPem: string; keyPem: string }) {
  const { edge } = readStack();
  const caPem = (await import('node:fs')).readFileSync(edge.caFile, 'utf8');
  return postReading({ url: `${edge.url}/temps`, device, caPem, timeoutMs: 10_000 });
}

test('[SUPPORT][REVOKE]: finds a device by its SKI, revokes with a reason, sees pending → revoked and the edge refusing it', async ({ page }) => {
  const device = await seededDevice('lab-06');
  // The key works before the revocation: the edge takes this device's readings.
  expect((await deviceRequest(device)).status).toBe(201);

  await signIn(page, 'SUPPORT');
  await page.goto('/devices');
  await page.getByPlaceholder('Name, CN, serial, SKI or fingerprint').fill(colons(device.ski));
  const table = page.getByRole('table', { name: 'Devices' });
  await expect(table.getByRole('link', { name: device.deviceName, exact: true })).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(page).toHaveURL(/[?&]q=/);
  await table.getByRole('link', { name: device.deviceName, exact: true }).click();

  await expect(page.getByRole('heading', { name: device.deviceName, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke certificate' });
  await expect(dialog.getByTestId('revoke-summary')).toContainText('This revokes 1 certificate on 1 device');
  // No reason, no revocation.
  await dialog.getByRole('button', { name: 'Revoke 1 certificate' }).click();
  await expect(dialog.getByText('Choose a reason.')).toBeVisible();
  await dialog.getByLabel('Key compromise').check();
  await dialog.getByLabel('Details (optional)').fill('key found on a public share');
  await dialog.getByRole('button', { name: 'Revoke 1 certificate' }).click();
  await expect(page.getByRole('dialog', { name: 'Revocation' }).getByRole('status').filter({ hasText: '1 certificate revoked' })).toBeVisible();
  await page.getByRole('dialog', { name: 'Revocation' }).getByRole('button', { name: 'Close' }).last().click();

  const row = page.locator(`tr[data-certificate-id="${device.certificateId}"]`);
  // Cloudflare answers pending first (3 s in the e2e stack), then the page follows it to revoked.
  const status = row.locator('[data-status]');
  await expect(status).toHaveAttribute('data-status', /PENDING_REVOCATION|REVOKED/);
  await expect(row).toContainText('support@certfleet.local');
  await expect(row).toContainText('Key compromise');
  await expect(status).toHaveAttribute('data-status', 'REVOKED');
  const proof = page.getByTestId('edge-proof');
  await expect(proof).toContainText(/Refused at the edge \(403\) [\d.]+ s after revocation/);
  expect(await cloudflareStatus(device.cloudflareId)).toBe('revoked');

  // What the page claims holds: the device's own request is refused now, and the proof is on record.
  const after = await deviceRequest(device);
  expect(after.status).toBe(403);
  const [event] = await sql<{ details: { status: number; elapsedMs: number } }>(
    `SELECT details FROM "AuditEvent" WHERE action = 'certificate.edge_refused' AND "targetId" = $1`,
    [device.certificateId],
  );
  expect(event?.details.status).toBe(403);
  expect(event!.details.elapsedMs).toBeGreaterThanOrEqual(2_500);
  const [stored] = await sql<{ revocationReason: string; revokedByEmail: string; revocationNote: string }>(
    'SELECT "revocationReason", "revokedByEmail", "revocationNote" FROM "Certificate" WHERE id = $1',
    [device.certificateId],
  );
  expect(stored).toEqual({ revocationReason: 'KEY_COMPROMISE', revokedByEmail: 'support@certfleet.local', revocationNote: 'key found on a public share' });

  // The certificate page says the same, with the identifiers in both formats.
  await row.getByRole('link', { name: device.serialNumber }).click();
  await expect(page.getByTestId('certificate-status')).toContainText('Revoked');
  await expect(page.getByText(colons(device.ski))).toBeVisible();
  await expect(page.getByText(device.ski, { exact: true })).toBeVisible();
  await expect(page.getByTestId('edge-proof')).toContainText('Refused at the edge (403)');
  await expect(page.getByRole('button', { name: 'Undo revocation' })).toHaveCount(0);
});

test('[SUPPORT][UNDO]: undoes a revocation while it is pending, on another device', async ({ page }) => {
  const device = await seededDevice('lab-07');
  await signIn(page, 'SUPPORT');
  await page.goto(`/certificates?q=${encodeURIComponent(device.serialNumber.toLowerCase())}`);
  const table = page.getByRole('table', { name: 'Certificates' });
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await table.getByRole('checkbox', { name: `Select ${device.deviceName} (${device.serialNumber})` }).check();
  await page.getByRole('button', { name: 'Revoke 1 selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke certificate' });
  await expect(dialog.getByTestId('revoke-summary')).toContainText('This revokes 1 certificate on 1 device');
  await dialog.getByLabel('Other').check();
  await dialog.getByRole('button', { name: 'Revoke 1 certificate' }).click();
  await expect(dialog.getByText('Say why, when the reason is “Other”.')).toBeVisible();
  await dialog.getByLabel('Why (required)').fill('revoked the wrong sensor');

  // Keep this revocation pending long enough to undo it by hand; only revocations started now wait.
  const previous = await configureCloudflare({ revocationDelayMs: 120_000 });
  try {
    await dialog.getByRole('button', { name: 'Revoke 1 certificate' }).click();
    await expect(page.getByRole('dialog', { name: 'Revocation' }).getByRole('status').filter({ hasText: '1 certificate revoked' })).toBeVisible();
  } finally {
    await configureCloudflare(previous);
  }
  await page.getByRole('dialog', { name: 'Revocation' }).getByRole('button', { name: 'Close' }).last().click();
  expect(await cloudflareStatus(device.cloudflareId)).toBe('pending_revocation');

  await page.goto(`/devices/${device.deviceId}`);
  const row = page.locator(`tr[data-certificate-id="${device.certificateId}"]`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'PENDING_REVOCATION');
  await row.getByRole('button', { name: `Undo revocation of ${device.serialNumber}` }).click();
  // pending_reactivation, then active as Cloudflare completes it.
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'ACTIVE');
  expect(await cloudflareStatus(device.cloudflareId)).toBe('active');
  const actions = await sql<{ action: string; actorEmail: string }>(
    `SELECT action, "actorEmail" FROM "AuditEvent" WHERE "targetId" = $1 AND action LIKE 'certificate.%' ORDER BY id`,
    [device.certificateId],
  );
  expect(actions.map((a) => a.action)).toEqual(['certificate.revoke', 'certificate.reactivate', 'certificate.reactivation.complete']);
  expect(actions[1]!.actorEmail).toBe('support@certfleet.local');
  // The device is back: the edge takes its readings again.
  expect((await deviceRequest(device)).status).toBe(201);
});
