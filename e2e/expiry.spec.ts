import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { sql } from './inventory';

// The Overview's expiry cards and weekly forecast match the seeded data. The expected numbers are
// computed here from the database rows with this spec's own arithmetic (not certfleet's queries):
// whole days left rounded down; bands expired, ≤ 7, ≤ 30, ≤ 90 days and later; live certificates only
// (active or pending reactivation, not canaries); custom hostnames counted beside them.

const DAY = 86_400_000;

async function thresholds(): Promise<number[]> {
  const [row] = await sql<{ value: number[] }>(`SELECT value FROM "Setting" WHERE key = 'expiryBands'`);
  return row?.value ?? [7, 30, 90];
}

async function liveExpiries(): Promise<Date[]> {
  const rows = await sql<{ expiresOn: string }>(
    `SELECT to_char(c."expiresOn", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresOn"
       FROM "Certificate" c LEFT JOIN "Device" d ON d.id = c."deviceId"
      WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND (d.id IS NULL OR NOT d."isCanary")`,
  );
  return rows.map((r) => new Date(r.expiresOn));
}

async function hostnameExpiries(): Promise<Date[]> {
  const rows = await sql<{ expiresOn: string }>(
    `SELECT to_char("expiresOn", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresOn" FROM "CustomHostname" WHERE "expiresOn" IS NOT NULL`,
  );
  return rows.map((r) => new Date(r.expiresOn));
}

function bandKey(expiresOn: Date, now: number, limits: number[]): string {
  const days = Math.floor((expiresOn.getTime() - now) / DAY);
  if (days < 0) return 'expired';
  return String(limits.find((limit) => days <= limit) ?? 'later');
}

function countBands(dates: Date[], now: number, limits: number[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(['expired', ...limits.map(String), 'later'].map((k) => [k, 0]));
  for (const d of dates) counts[bandKey(d, now, limits)]!++;
  return counts;
}

/** Monday (UTC) of the week a date falls in, as date_trunc('week') gives it. */
function mondayOf(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

test('[MANAGER][EXPIRY]: the band cards and the weekly forecast match the seeded certificates', async ({ page }) => {
  await signIn(page, 'MANAGER');
  const limits = await thresholds();
  // Other specs may revoke or issue meanwhile: compare one consistent reading of page and database.
  await expect(async () => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Expiry' })).toBeVisible();
    const now = Date.now();
    const [certificates, hostnames] = await Promise.all([liveExpiries(), hostnameExpiries()]);
    const expected = countBands(certificates, now, limits);
    const expectedHostnames = countBands(hostnames, now, limits);

    const shown: Record<string, number> = {};
    const shownHostnames: Record<string, number> = {};
    for (const key of Object.keys(expected)) {
      const card = page.getByTestId(`expiry-band-${key}`);
      shown[key] = Number((await card.getByTestId('certificates').textContent())!.replace(/,/g, ''));
      const hostnameText = await card.getByTestId('hostnames').textContent({ timeout: 100 }).catch(() => '0');
      shownHostnames[key] = Number(hostnameText);
    }
    expect(shown).toEqual(expected);
    expect(shownHostnames).toEqual(expectedHostnames);

    // The forecast: live certificates expiring from now through the next 12 months, per week.
    const end = new Date(now);
    end.setUTCMonth(end.getUTCMonth() + 12);
    const weeks = new Map<string, number>();
    for (const d of certificates) if (d.getTime() >= now && d < end) weeks.set(mondayOf(d), (weeks.get(mondayOf(d)) ?? 0) + 1);
    const rows = await page.getByTestId('forecast-table').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.children[0]!.textContent ?? '', Number(tr.children[1]!.textContent)] as const),
    );
    expect(rows.length).toBeGreaterThanOrEqual(52);
    expect(rows[0]![0]).toBe(mondayOf(new Date(now)));
    expect(Object.fromEntries(rows.filter(([, n]) => n > 0))).toEqual(Object.fromEntries([...weeks].sort()));
  }).toPass({ timeout: 300_000 });

  // The seed spreads certificates over the bands: the cards are not all zero.
  expect((await liveExpiries()).length).toBeGreaterThan(10);
  await expect(page.getByRole('img', { name: /certificates expiring per week/ })).toBeVisible();
});

test('[MANAGER][EXPIRY]: a band card opens the certificates in that band, and the table shows as many', async ({ page }) => {
  await signIn(page, 'MANAGER');
  await expect(async () => {
    await page.goto('/');
    const card = page.getByTestId('expiry-band-7');
    const count = Number(await card.getByTestId('certificates').textContent());
    expect(count).toBeGreaterThan(0);
    await card.click();
    await expect(page).toHaveURL(/\/certificates\?band=7$/);
    await expect(page.getByText(new RegExp(`–${count} of ${count}$`))).toBeVisible();
    // Every row shows its days left within the band.
    const days = await page
      .getByRole('table', { name: 'Certificates' })
      .locator('[data-band]')
      .evaluateAll((badges) => badges.map((b) => b.getAttribute('data-band')));
    expect(days.length).toBe(Math.min(count, 20));
    expect(new Set(days)).toEqual(new Set(['7']));
  }).toPass({ timeout: 300_000 });
});
