import { readFileSync } from 'node:fs';
import { postReading } from '../lib/devices/simulator';
import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { cloudflareStatus, configureCloudflare, seededDevice, settleCloudflare, sql } from './inventory';
import { readStack } from './stack';

// A revocation is pending at Cloudflare for a while, and the edge rightly keeps accepting the certificate
// meanwhile. Readings the device posted then are its own: not "after revoked", and they count for last seen.
// Only what the edge let through after the revocation took effect would be flagged.

async function deviceRequest(device: { certPem: string; keyPem: string }) {
  const { edge } = readStack();
  return postReading({ url: `${edge.url}/temps`, device, caPem: readFileSync(edge.caFile, 'utf8'), timeoutMs: 10_000 });
}

test('[SUPPORT][PENDING READINGS]: readings the edge took while a revocation was pending are not flagged and keep the device seen', async ({ page }) => {
  const device = await seededDevice('warehouse-09');
  await signIn(page, 'SUPPORT');
  await page.goto(`/certificates?q=${encodeURIComponent(device.serialNumber.toLowerCase())}`);
  const table = page.getByRole('table', { name: 'Certificates' });
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await table.getByRole('checkbox', { name: `Select ${device.deviceName} (${device.serialNumber})` }).check();
  await page.getByRole('button', { name: 'Revoke 1 selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke certificate' });
  await dialog.getByLabel('Key compromise').check();

  // Cloudflare keeps this revocation pending until the test settles it.
  const previous = await configureCloudflare({ revocationDelayMs: 3_600_000 });
  try {
    await dialog.getByRole('button', { name: 'Revoke 1 certificate' }).click();
    await expect(page.getByRole('dialog', { name: 'Revocation' }).getByRole('status').filter({ hasText: '1 certificate revoked' })).toBeVisible();
  } finally {
    await configureCloudflare(previous);
  }
  await page.getByRole('dialog', { name: 'Revocation' }).getByRole('button', { name: 'Close' }).last().click();
  expect(await cloudflareStatus(device.cloudflareId)).toBe('pending_revocation');

  // Pending: the edge still takes the device's reading.
  const posted = Date.now();
  expect((await deviceRequest(device)).status).toBe(201);

  // Cloudflare settles; the device page, which asks Cloudflare on view, shows it revoked.
  await settleCloudflare();
  await page.goto(`/devices/${device.deviceId}`);
  await expect(page.locator(`tr[data-certificate-id="${device.certificateId}"]`).locator('[data-status]')).toHaveAttribute('data-status', 'REVOKED');

  await page.goto(`/readings/${device.deviceId}`);
  await page.getByRole('button', { name: 'Pull now' }).click();
  await expect(page.getByText(/^(Up to date|Pulled \d)/)).toBeVisible();
  const [row] = await sql<{ lastSeenAt: Date; revokedAt: Date; revocationEffectiveAt: Date; readings: number }>(
    `SELECT d."lastSeenAt", c."revokedAt", c."revocationEffectiveAt",
            (SELECT count(*)::int FROM "Reading" r WHERE r."certificateFingerprint" = c."fingerprintSha256" AND r."receivedAt" >= c."revokedAt") AS readings
       FROM "Device" d JOIN "Certificate" c ON c.id = $2 WHERE d.id = $1`,
    [device.deviceId, device.certificateId],
  );
  // The reading arrived between the request and the moment the revocation took effect ...
  expect(row!.readings).toBe(1);
  expect(row!.revocationEffectiveAt.getTime()).toBeGreaterThan(row!.revokedAt.getTime());
  // ... so it made the device seen, and nothing on its page calls it a reading that should not exist.
  expect(row!.lastSeenAt.getTime()).toBeGreaterThanOrEqual(posted - 1_000);
  await page.reload();
  await expect(page.getByTestId('flags-loading')).toHaveCount(0);
  await expect(page.getByTestId('reading-flags')).toHaveCount(0);
});
